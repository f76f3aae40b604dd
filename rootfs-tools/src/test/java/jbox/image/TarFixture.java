// Builds small tar archives inside tests (no binary fixtures in the repo), optionally compressed.
package jbox.image;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;

/** Entry names are written verbatim (absolute paths and ".." included) so hostile archives can be built. */
final class TarFixture {

    enum Compression { PLAIN, GZIP, XZ, BZIP2, ZSTD }

    static final FileTime DEFAULT_MTIME = FileTime.fromMillis(1_600_000_000_000L);

    private record Item(TarArchiveEntry entry, byte[] content, Map<String, byte[]> xattrs) {
    }

    private final List<Item> items = new ArrayList<>();

    TarFixture dir(String name, int mode, long uid, long gid) {
        return add(entry(name, TarConstants.LF_DIR, mode, uid, gid), null);
    }

    TarFixture dir(String name) {
        return dir(name, 0755, 0, 0);
    }

    TarFixture file(String name, String content, int mode, long uid, long gid) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), mode, uid, gid);
    }

    TarFixture file(String name, byte[] content, int mode, long uid, long gid) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_NORMAL, mode, uid, gid);
        entry.setSize(content.length);
        return add(entry, content);
    }

    TarFixture file(String name, String content) {
        return file(name, content, 0644, 0, 0);
    }

    TarFixture symlink(String name, String target, long uid, long gid) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_SYMLINK, 0777, uid, gid);
        entry.setLinkName(target);
        return add(entry, null);
    }

    TarFixture symlink(String name, String target) {
        return symlink(name, target, 0, 0);
    }

    TarFixture hardLink(String name, String target) {
        TarArchiveEntry entry = entry(name, TarConstants.LF_LINK, 0644, 0, 0);
        entry.setLinkName(target);
        return add(entry, null);
    }

    /** Device nodes, FIFOs: header-only entries of the given type. */
    TarFixture special(String name, byte type, int mode) {
        return add(entry(name, type, mode, 0, 0), null);
    }

    /** Adds all entries of {@code more} after this fixture's own. */
    TarFixture append(TarFixture more) {
        items.addAll(more.items);
        return this;
    }

    /**
     * An extended attribute of the most recently added entry, as GNU tar and docker write it: a PAX
     * record {@code SCHILY.xattr.NAME=VALUE} with the value's raw bytes (Commons Compress can only
     * write text values, so the PAX header is written here).
     */
    TarFixture xattr(String name, byte[] value) {
        items.get(items.size() - 1).xattrs().put(name, value);
        return this;
    }

    /** Overrides the mtime of the most recently added entry. */
    TarFixture mtime(FileTime mtime) {
        items.get(items.size() - 1).entry().setLastModifiedTime(mtime);
        return this;
    }

    Path writeTo(Path file, Compression compression) throws IOException {
        try (OutputStream raw = new BufferedOutputStream(Files.newOutputStream(file));
             OutputStream compressed = compress(raw, compression);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(compressed, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Item item : items) {
                if (!item.xattrs().isEmpty()) {
                    byte[] records = paxRecords(item.xattrs());
                    TarArchiveEntry pax = new TarArchiveEntry("PaxHeaders/x", (byte) 'x', true);
                    pax.setSize(records.length);
                    tar.putArchiveEntry(pax);
                    tar.write(records);
                    tar.closeArchiveEntry();
                }
                tar.putArchiveEntry(item.entry());
                if (item.content() != null) {
                    tar.write(item.content());
                }
                tar.closeArchiveEntry();
            }
        }
        return file;
    }

    Path writeTo(Path file) throws IOException {
        return writeTo(file, Compression.PLAIN);
    }

    /** "LEN SCHILY.xattr.NAME=VALUE\n", LEN the record's own length in bytes, its digits included. */
    private static byte[] paxRecords(Map<String, byte[]> xattrs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> xattr : xattrs.entrySet()) {
            byte[] key = (" SCHILY.xattr." + xattr.getKey() + "=").getBytes(StandardCharsets.UTF_8);
            int rest = key.length + xattr.getValue().length + 1;
            int len = rest + String.valueOf(rest).length();
            if (String.valueOf(len).length() != String.valueOf(rest).length()) {
                len++;
            }
            out.write(String.valueOf(len).getBytes(StandardCharsets.US_ASCII));
            out.write(key);
            out.write(xattr.getValue());
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static OutputStream compress(OutputStream raw, Compression compression) throws IOException {
        return switch (compression) {
            case PLAIN -> raw;
            case GZIP -> new GzipCompressorOutputStream(raw);
            case XZ -> new XZCompressorOutputStream(raw);
            case BZIP2 -> new BZip2CompressorOutputStream(raw);
            case ZSTD -> {
                loadZstd();
                yield new ZstdCompressorOutputStream(raw);
            }
        };
    }

    /**
     * zstd-jni's library, loaded as jbox loads it (ZstdLibrary) into a 0700 directory of this
     * test JVM's own, before the compressor's first use would unpack it into /tmp.
     */
    static synchronized void loadZstd() throws IOException {
        if (ZstdLibrary.loadMillis() >= 0) {
            return;
        }
        Path dir = Files.createTempDirectory("jbox-zstd-test"); // 0700
        dir.toFile().deleteOnExit();
        ZstdLibrary.useDirectory(dir);
        try {
            ZstdLibrary.load("test fixture");
        } catch (ImageException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static TarArchiveEntry entry(String name, byte type, int mode, long uid, long gid) {
        TarArchiveEntry entry = new TarArchiveEntry(name, type, true); // true: keep a leading '/'
        entry.setMode(mode);
        entry.setUserId(uid);
        entry.setGroupId(gid);
        entry.setLastModifiedTime(DEFAULT_MTIME);
        return entry;
    }

    private TarFixture add(TarArchiveEntry entry, byte[] content) {
        items.add(new Item(entry, content, new LinkedHashMap<>()));
        return this;
    }
}
