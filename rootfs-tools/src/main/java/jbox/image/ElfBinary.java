// Tells whether an ELF executable needs a dynamic loader, by looking for a PT_INTERP program header.
package jbox.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The default image holds only busybox; a dynamically linked busybox (Debian's "busybox" package
 * rather than "busybox-static") would fail inside it with a baffling "not found". Checking the
 * header up front turns that into a clear error.
 */
final class ElfBinary {

    private static final int PT_INTERP = 3;
    private static final int HEADER_SIZE = 64;

    private ElfBinary() {
    }

    /** True if the file is ELF and names a program interpreter; false for static binaries. */
    static boolean isDynamicallyLinked(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer header = read(channel, 0, HEADER_SIZE);
            if (header.limit() < HEADER_SIZE || header.getInt(0) != 0x7f454c46) {
                throw new IOException("not an ELF executable");
            }
            boolean is64 = header.get(4) == 2;
            header.order(header.get(5) == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            long tableOffset = is64 ? header.getLong(32) : Integer.toUnsignedLong(header.getInt(28));
            int entrySize = Short.toUnsignedInt(header.getShort(is64 ? 54 : 42));
            int entryCount = Short.toUnsignedInt(header.getShort(is64 ? 56 : 44));
            for (int i = 0; i < entryCount; i++) {
                ByteBuffer entry = read(channel, tableOffset + (long) i * entrySize, 4).order(header.order());
                if (entry.limit() == 4 && entry.getInt(0) == PT_INTERP) {
                    return true;
                }
            }
            return false;
        }
    }

    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
            // keep reading until full or end of file
        }
        return buffer.flip();
    }
}
