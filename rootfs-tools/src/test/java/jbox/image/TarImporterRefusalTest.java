// Hostile and broken tars: each must fail with a precise message, leave the store empty and the host untouched.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TarImporterRefusalTest {

    private static final IdShift SHIFT = new IdShift(100000, 100000, 65536);

    @TempDir
    Path temp;
    private Sandbox sandbox;

    @BeforeEach
    void setUp() throws IOException {
        sandbox = new Sandbox(temp);
    }

    /** Each case: a description, the hostile entries (given the sandbox), and the exact expected message. */
    static Stream<Arguments> hostileArchives() {
        return Stream.of(
                hostile("absolute path",
                        s -> new TarFixture().file(s.outside.resolve("pwned").toString(), "x"),
                        s -> "refusing tar entry \"" + s.outside.resolve("pwned") + "\": path is absolute"),
                hostile("dot-dot prefix",
                        s -> new TarFixture().file("../../../outside/pwned", "x"),
                        s -> "refusing tar entry \"../../../outside/pwned\": path escapes the image root"),
                hostile("dot-dot in the middle",
                        s -> new TarFixture().file("a/../../x", "x"),
                        s -> "refusing tar entry \"a/../../x\": path escapes the image root"),
                hostile("harmless-looking dot-dot",
                        s -> new TarFixture().file("a/../b", "x"),
                        s -> "refusing tar entry \"a/../b\": path contains a '..' component"),
                hostile("relative symlink climbing out (kept, as the image spec allows), then a file through it",
                        s -> new TarFixture().symlink("evil", "../../..").file("evil/outside/pwned", "x"),
                        s -> "refusing tar entry \"evil/outside/pwned\": parent \"evil\" is a symlink"),
                hostile("absolute symlink to a host dir, then a file through it",
                        s -> new TarFixture().symlink("link", s.outside.toString()).file("link/pwned", "x"),
                        s -> "refusing tar entry \"link/pwned\": parent \"link\" is a symlink"),
                hostile("directory replaced by a symlink, then a file through it",
                        s -> new TarFixture().dir("d/").symlink("d", s.outside.toString()).file("d/pwned", "x"),
                        s -> "refusing tar entry \"d/pwned\": parent \"d\" is a symlink"),
                hostile("hard link to an absolute host file",
                        s -> new TarFixture().hardLink("hl", "/etc/passwd"),
                        s -> "refusing tar entry \"hl\": hard link target \"/etc/passwd\": path is absolute"),
                hostile("hard link with dot-dot",
                        s -> new TarFixture().hardLink("hl", "../../../outside/sentinel"),
                        s -> "refusing tar entry \"hl\": hard link target \"../../../outside/sentinel\": "
                                + "path escapes the image root"),
                hostile("hard link through a symlinked dir",
                        s -> new TarFixture().symlink("out", s.outside.toString()).hardLink("hl", "out/sentinel"),
                        s -> "refusing tar entry \"hl\": hard link target \"out/sentinel\" is not a regular file "
                                + "extracted earlier from this archive"),
                hostile("hard link to a missing file",
                        s -> new TarFixture().hardLink("hl", "missing"),
                        s -> "refusing tar entry \"hl\": hard link target \"missing\" is not a regular file "
                                + "extracted earlier from this archive"),
                hostile("hard link to a directory",
                        s -> new TarFixture().dir("d/").hardLink("hl", "d"),
                        s -> "refusing tar entry \"hl\": hard link target \"d\" is not a regular file "
                                + "extracted earlier from this archive"),
                hostile("uid outside the shift",
                        s -> new TarFixture().file("f", "x", 0644, 70000, 0),
                        s -> "refusing tar entry \"f\": uid 70000 is outside the mapped range 0-65535"),
                hostile("gid outside the shift",
                        s -> new TarFixture().file("f", "x", 0644, 0, 65536),
                        s -> "refusing tar entry \"f\": gid 65536 is outside the mapped range 0-65535"));
    }

    private static Arguments hostile(String description, Function<Sandbox, TarFixture> entries,
                                     Function<Sandbox, String> message) {
        return Arguments.of(description, entries, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileArchives")
    void refusesHostileEntry(String description, Function<Sandbox, TarFixture> entries,
                             Function<Sandbox, String> message) throws Exception {
        // A harmless entry first, so the staging dir has content that must be cleaned up.
        Path tar = new TarFixture().dir("bin/").file("bin/ok", "fine")
                .append(entries.apply(sandbox))
                .writeTo(temp.resolve("hostile.tar"));

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "hostile", tar, SHIFT, ProgressListener.NONE));

        assertEquals(message.apply(sandbox), error.getMessage());
        sandbox.assertStoreEmpty();
        sandbox.assertOutsideUntouched();
    }

    @Test
    void truncatedGzipFailsNamingTheEntry() throws Exception {
        Path whole = bigFileTar(temp.resolve("whole.tar.gz"));
        byte[] bytes = Files.readAllBytes(whole);
        Path tar = Files.write(temp.resolve("truncated.tar.gz"), Arrays.copyOf(bytes, bytes.length / 2));

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "cut", tar, SHIFT, ProgressListener.NONE));

        assertTrue(error.getMessage().startsWith("cannot read tar " + tar + " at entry \"big.bin\": "),
                error.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void gzipWithDamagedTrailerFails() throws Exception {
        Path whole = bigFileTar(temp.resolve("whole.tar.gz"));
        byte[] bytes = Files.readAllBytes(whole);
        bytes[bytes.length - 6] ^= 0x55; // inside the CRC32 of the trailer, after all tar data
        Path tar = Files.write(temp.resolve("crc.tar.gz"), bytes);

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "crc", tar, SHIFT, ProgressListener.NONE));

        // Whether the tar reader or the final drain trips over it depends on read-ahead; either must fail.
        assertTrue(error.getMessage().startsWith("cannot read tar "), error.getMessage());
        assertTrue(error.getMessage().endsWith("gzip-compressed data is corrupt (CRC32 error)."), error.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void garbageIsNotATar() throws Exception {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        noise[0] = 'x'; // no compression magic
        Path tar = Files.write(temp.resolve("noise.tar"), noise);

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "noise", tar, SHIFT, ProgressListener.NONE));

        assertEquals(tar + " is not a tar archive (nor a gzip, xz, bzip2 or zstd compressed one)", error.getMessage());
        sandbox.assertStoreEmpty();
    }

    /** Shorter than one tar header: the tar reader alone takes it for an empty archive, and an empty image was made. */
    @Test
    void aShortTextFileIsNotATar() throws Exception {
        Path text = Files.writeString(temp.resolve("hostname"), "box\n");

        ImageException error = assertThrows(ImageException.class,
                () -> new ImageImporter().importImage(sandbox.store, "text", text, null, SHIFT, ProgressListener.NONE));

        assertEquals(text + " is not a tar archive (nor a gzip, xz, bzip2 or zstd compressed one)", error.getMessage());
        sandbox.assertStoreEmpty();
    }

    /** A gzip'd text file is no tar either, once inflated (and the same for a layer: it goes through the same reader). */
    @Test
    void aCompressedTextFileIsNotATar() throws Exception {
        Path gz = temp.resolve("notes.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("line one\nline two\n".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "notes", gz, SHIFT, ProgressListener.NONE));

        assertEquals(gz + " is not a tar archive (nor a gzip, xz, bzip2 or zstd compressed one)", error.getMessage());
        sandbox.assertStoreEmpty();
    }

    /** An empty archive (what `tar -cf x.tar -T /dev/null` writes: zero blocks only) is still a tar. */
    @Test
    void anEmptyTarIsATar() throws Exception {
        Path tar = Files.write(temp.resolve("empty.tar"), new byte[10240]);

        new TarImporter().importTar(sandbox.store, "empty", tar, SHIFT, ProgressListener.NONE);

        assertEquals(java.util.List.of("empty"), sandbox.storeEntries());
    }

    @Test
    void aTruncatedZstdTarballIsRefused() throws Exception {
        byte[] noise = new byte[300_000];
        new Random(7).nextBytes(noise); // incompressible: the cut falls inside the file's data
        Path whole = new TarFixture().file("f", noise, 0644, 0, 0)
                .writeTo(temp.resolve("whole.tar.zst"), TarFixture.Compression.ZSTD);
        byte[] bytes = Files.readAllBytes(whole);
        Path tar = Files.write(temp.resolve("x.tar.zst"), Arrays.copyOf(bytes, bytes.length - 10));

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "zst", tar, SHIFT, ProgressListener.NONE));

        assertEquals("cannot read tar " + tar + " at entry \"f\": truncated source", error.getMessage());
        sandbox.assertStoreEmpty();
    }

    @Test
    void missingTarFile() {
        Path tar = temp.resolve("nope.tar");

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "nope", tar, SHIFT, ProgressListener.NONE));

        assertEquals("tar file not found: " + tar, error.getMessage());
    }

    @Test
    void existingImageIsNotOverwritten() throws Exception {
        Path tar = new TarFixture().file("f", "first").writeTo(temp.resolve("one.tar"));
        new TarImporter().importTar(sandbox.store, "dup:latest", tar, SHIFT, ProgressListener.NONE);

        ImageException error = assertThrows(ImageException.class,
                () -> new TarImporter().importTar(sandbox.store, "dup", tar, SHIFT, ProgressListener.NONE));

        assertEquals("image dup already exists (remove it with: jbox image rm dup)", error.getMessage());
        assertEquals(java.util.List.of("dup"), sandbox.storeEntries());
    }

    private static Path bigFileTar(Path file) throws IOException {
        byte[] content = new byte[4 << 20];
        new Random(42).nextBytes(content); // incompressible, so half the .gz is half the content
        return new TarFixture().file("small", "x").file("big.bin", content, 0644, 0, 0)
                .writeTo(file, TarFixture.Compression.GZIP);
    }
}
