package jbox.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The reader against tars that GNU tar and git write, each read back to the byte. */
class TarReaderTest {
    @TempDir
    Path temp;

    private static final byte[] DATA = "hello\n".getBytes(StandardCharsets.UTF_8);

    /** GNU tar in each of its formats: long names, long link targets, numbers past the octal fields. */
    @ParameterizedTest
    @ValueSource(strings = {"gnu", "oldgnu", "posix", "ustar"})
    void namesLinksAndNumbersOfEachFormat(String format) throws Exception {
        Path src = Files.createDirectories(temp.resolve("src"));
        String longDir = "d".repeat(90) + "/" + "e".repeat(40);
        Files.createDirectories(src.resolve(longDir));
        Files.write(src.resolve(longDir + "/file"), DATA);
        if (!format.equals("ustar")) {
            Files.write(src.resolve("n".repeat(150)), DATA);
            Files.createSymbolicLink(src.resolve("link"), Path.of("t".repeat(120)));
        }
        List<String> owner = format.equals("ustar") ? List.of() : List.of("--owner=3000000", "--group=3000001");
        Path tar = gnuTar(src, format, owner);

        List<TarReader.Entry> entries = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        readAll(tar, entries, contents);

        TarReader.Entry file = find(entries, "./" + longDir + "/file");
        assertArrayEquals(DATA, contents.get(entries.indexOf(file)));
        assertEquals(0644, file.mode() & 0777);
        assertTrue(find(entries, "./" + longDir + "/").isDirectory());
        if (!format.equals("ustar")) {
            assertArrayEquals(DATA, contents.get(entries.indexOf(find(entries, "./" + "n".repeat(150)))));
            TarReader.Entry link = find(entries, "./link");
            assertEquals('2', link.type());
            assertEquals("t".repeat(120), link.linkName());
            assertEquals(3000000, link.uid());
            assertEquals(3000001, link.gid());
        }
    }

    /** Holes come back as zeros, data where it was, for every sparse format GNU tar writes. */
    @ParameterizedTest
    @ValueSource(strings = {"oldgnu", "0.0", "0.1", "1.0"})
    void sparseFilesOfEachFormat(String version) throws Exception {
        Path src = Files.createDirectories(temp.resolve("src"));
        Path sparse = src.resolve("sparse");
        byte[] expected = new byte[3 << 20];
        Random random = new Random(1);
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(expected.length);
            for (long at : new long[] {0, 1 << 20, (3 << 20) - 4096}) {
                byte[] chunk = new byte[4096];
                random.nextBytes(chunk);
                f.seek(at);
                f.write(chunk);
                System.arraycopy(chunk, 0, expected, (int) at, chunk.length);
            }
        }
        List<String> args = version.equals("oldgnu") ? List.of("--sparse")
                : List.of("--sparse", "--sparse-version=" + version);
        Path tar = gnuTar(src, version.equals("oldgnu") ? "oldgnu" : "posix", args);
        assertTrue(Files.size(tar) < expected.length / 2, "GNU tar stored the holes as holes");

        List<TarReader.Entry> entries = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        readAll(tar, entries, contents);
        TarReader.Entry e = find(entries, "./sparse");
        assertTrue(e.isSparse());
        assertEquals(expected.length, e.realSize());
        assertArrayEquals(expected, contents.get(entries.indexOf(e)));
    }

    /** git archive begins with a PAX global header (the commit id): an entry to skip, not a file. */
    @Test
    void gitArchiveGlobalHeader() throws Exception {
        Path repo = Files.createDirectories(temp.resolve("repo"));
        Files.write(repo.resolve("f"), DATA);
        run(repo, "git", "init", "-q");
        run(repo, "git", "add", "f");
        run(repo, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "m");
        Path tar = temp.resolve("git.tar");
        run(repo, "git", "archive", "-o", tar.toString(), "HEAD");
        List<TarReader.Entry> entries = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        readAll(tar, entries, contents);
        assertTrue(entries.get(0).isGlobalHeader());
        assertArrayEquals(DATA, contents.get(entries.indexOf(find(entries, "f"))));
    }

    @Test
    void aWrongChecksumOnTheFirstHeaderIsNotATar() throws Exception {
        byte[] text = "not a tar at all\n".repeat(64).getBytes(StandardCharsets.UTF_8);
        TarReader r = new TarReader(new ByteArrayInputStream(text));
        assertThrows(IOException.class, r::next);
        assertTrue(r.notATar());
    }

    @Test
    void anArchiveCutInsideAnEntryFailsThere() throws Exception {
        Path src = Files.createDirectories(temp.resolve("src"));
        Files.write(src.resolve("big"), new byte[100_000]);
        byte[] whole = Files.readAllBytes(gnuTar(src, "gnu", List.of()));
        TarReader r = new TarReader(new ByteArrayInputStream(Arrays.copyOf(whole, 20_000)));
        TarReader.Entry e;
        while ((e = r.next()) != null && !e.name().equals("./big")) {
            // to the file
        }
        byte[] b = new byte[8192];
        IOException cut = assertThrows(IOException.class, () -> {
            while (r.read(b, 0, b.length) >= 0) {
                // until it fails
            }
        });
        assertEquals("truncated tar: entry data ends early", cut.getMessage());
        assertFalse(r.notATar());
    }

    /** The end marker and the rest of its record are the archive's: nothing of them is left for the caller. */
    @Test
    void theLastRecordIsReadToItsEnd() throws Exception {
        Path src = Files.createDirectories(temp.resolve("src"));
        Files.write(src.resolve("f"), DATA);
        Path tar = gnuTar(src, "gnu", List.of());
        assertEquals(0, Files.size(tar) % TarReader.RECORD);
        try (InputStream in = Files.newInputStream(tar)) {
            TarReader r = new TarReader(in);
            while (r.next() != null) {
                // every entry
            }
            assertNull(r.next());
            assertEquals(-1, in.read());
        }
    }

    /** Hostile numbers and sizes fail the read with a reason, before anything is allocated for them. */
    @Test
    void hostileExtensionHeadersAreRefused() throws Exception {
        byte[] pax = "28 size=9999999999999999999\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        tar.write(header("pax", 'x', pax.length));
        tar.write(Arrays.copyOf(pax, TarReader.BLOCK));
        tar.write(header("f", '0', 0));
        IOException overflow = assertThrows(IOException.class, () -> new TarReader(new ByteArrayInputStream(tar.toByteArray())).next());
        assertEquals("PAX size is not a number", overflow.getMessage());

        byte[] huge = header("L", 'L', TarReader.MAX_EXTENSION + 1L);
        IOException tooBig = assertThrows(IOException.class, () -> new TarReader(new ByteArrayInputStream(huge)).next());
        assertEquals("tar extension header of 16777217 bytes (at most 16777216)", tooBig.getMessage());
    }

    /** A ustar header block: name, type, size in octal, mode 0644, a valid checksum. */
    private static byte[] header(String name, char type, long size) {
        byte[] h = new byte[TarReader.BLOCK];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        put(h, 100, String.format("%07o", 0644));
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 0));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    private Path gnuTar(Path src, String format, List<String> extra) throws Exception {
        Path tar = temp.resolve(format + "-" + extra.hashCode() + ".tar");
        List<String> cmd = new ArrayList<>(List.of("tar", "--format=" + format, "-C", src.toString(), "-cf", tar.toString()));
        cmd.addAll(extra);
        cmd.add(".");
        run(temp, cmd.toArray(String[]::new));
        return tar;
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    private static void readAll(Path tar, List<TarReader.Entry> entries, List<byte[]> contents) throws IOException {
        try (InputStream in = Files.newInputStream(tar)) {
            TarReader r = new TarReader(in);
            byte[] b = new byte[7000]; // not a multiple of anything the reader uses
            for (TarReader.Entry e; (e = r.next()) != null; ) {
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                for (int n; (n = r.read(b, 0, b.length)) >= 0; ) {
                    data.write(b, 0, n);
                }
                entries.add(e);
                contents.add(data.toByteArray());
            }
        }
    }

    private static TarReader.Entry find(List<TarReader.Entry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + entries.stream().map(TarReader.Entry::name).toList()));
    }
}
