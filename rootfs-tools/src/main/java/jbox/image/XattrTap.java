// Sees the raw bytes of each tar header, so extended attributes keep their exact binary values.
package jbox.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Commons Compress decodes every PAX value as UTF-8, which destroys binary ones: a
 * {@code SCHILY.xattr.security.capability} value (GNU tar, docker and containerd write it raw) comes
 * out with its bytes replaced. This stream sits under the tar reader and records what the reader
 * consumes while it looks for the next entry (padding, PAX and GNU long-name headers, the entry's
 * own header); {@link #endHeader} walks those 512-byte blocks and parses the PAX records itself.
 * The extractor reads every entry's data to its end, so what is recorded is headers only.
 */
final class XattrTap extends FilterInputStream {
    private static final int BLOCK = 512;
    private static final String XATTR_PREFIX = "SCHILY.xattr.";
    private static final int TYPE_OFFSET = 156;
    private static final int SIZE_OFFSET = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;

    private long position;
    private boolean recording;
    private long recordStart;
    private byte[] recorded = new byte[4 * BLOCK];
    private int length;

    XattrTap(InputStream in) {
        super(in);
    }

    /** The tar reader is about to look for its next entry. */
    void beginHeader() {
        recording = true;
        recordStart = position;
        length = 0;
    }

    /** The reader has its entry (or the end): the xattrs its PAX header gave it, names without "SCHILY.xattr.". */
    Map<String, byte[]> endHeader() {
        recording = false;
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        int at = (int) Math.floorMod(-recordStart, (long) BLOCK); // the record padding before the first header
        while (at + BLOCK <= length) {
            if (isZeroBlock(at)) {
                at += BLOCK;
                continue;
            }
            if (!hasValidChecksum(at)) {
                break;
            }
            byte type = recorded[at + TYPE_OFFSET];
            long size = size(at);
            boolean extension = type == 'x' || type == 'g' || type == 'L' || type == 'K';
            if (!extension || size < 0 || at + BLOCK + size > length) {
                break; // the entry's own header
            }
            if (type == 'x') { // a writer may split its records over several (one for xattrs, one for a long path)
                xattrs.putAll(paxXattrs(at + BLOCK, (int) size));
            }
            at += BLOCK + (int) ((size + BLOCK - 1) / BLOCK * BLOCK);
        }
        return xattrs;
    }

    /** Whether what the reader read since {@link #beginHeader} was no tar at all: too short, or not a header. */
    boolean notATar() {
        if (length < BLOCK) {
            return true;
        }
        return !isZeroBlock(0) && !hasValidChecksum(0);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            record(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            record(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(n);
        position += skipped;
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void record(byte[] b, int off, int n) {
        position += n;
        if (!recording) {
            return;
        }
        if (length + n > recorded.length) {
            recorded = Arrays.copyOf(recorded, Math.max(recorded.length * 2, length + n));
        }
        System.arraycopy(b, off, recorded, length, n);
        length += n;
    }

    private boolean isZeroBlock(int at) {
        for (int i = at; i < at + BLOCK; i++) {
            if (recorded[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The header checksum: the sum of its bytes with the checksum field counted as spaces (signed sums accepted too). */
    private boolean hasValidChecksum(int at) {
        long stored = octal(at + CHECKSUM_OFFSET, CHECKSUM_LENGTH);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH ? (byte) ' ' : recorded[at + i];
            unsigned += b & 0xff;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    /** The size field: octal, or base-256 when its first byte has the high bit (GNU/star, sizes past 8 GiB). */
    private long size(int at) {
        int field = at + SIZE_OFFSET;
        if ((recorded[field] & 0x80) != 0) {
            long value = 0;
            for (int i = 1; i < SIZE_LENGTH; i++) {
                if (value >>> 55 != 0) {
                    return -1;
                }
                value = (value << 8) | (recorded[field + i] & 0xff);
            }
            return value;
        }
        return octal(field, SIZE_LENGTH);
    }

    private long octal(int from, int len) {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < from + len; i++) {
            byte b = recorded[i];
            if (b == 0 || (b == ' ' && digits)) {
                break;
            }
            if (b == ' ') {
                continue;
            }
            if (b < '0' || b > '7' || value >>> 60 != 0) {
                return -1;
            }
            value = value * 8 + (b - '0');
            digits = true;
        }
        return digits ? value : -1;
    }

    /** PAX records are "LEN KEY=VALUE\n", LEN counting the whole record in bytes; values are taken as bytes. */
    private Map<String, byte[]> paxXattrs(int from, int size) {
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        int at = from;
        int end = from + size;
        while (at < end) {
            int space = at;
            long len = 0;
            while (space < end && recorded[space] >= '0' && recorded[space] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (recorded[space] - '0');
                space++;
            }
            if (space == at || space >= end || recorded[space] != ' ' || len <= space - at || at + len > end
                    || recorded[(int) (at + len - 1)] != '\n') {
                break; // malformed or padding: the tar reader reports what it makes of it
            }
            int recordEnd = (int) (at + len - 1);
            int equals = space + 1;
            while (equals < recordEnd && recorded[equals] != '=') {
                equals++;
            }
            if (equals < recordEnd) {
                String key = new String(recorded, space + 1, equals - space - 1, StandardCharsets.UTF_8);
                if (key.startsWith(XATTR_PREFIX) && key.length() > XATTR_PREFIX.length()) {
                    xattrs.put(key.substring(XATTR_PREFIX.length()),
                            Arrays.copyOfRange(recorded, equals + 1, recordEnd));
                }
            }
            at += (int) len;
        }
        return xattrs;
    }
}
