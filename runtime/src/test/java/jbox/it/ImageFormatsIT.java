package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jbox image import` of OCI layouts and docker-archives, and `jbox image export`, through the CLI
 * and against skopeo and podman (isolated stores under a temp dir; no network, no podman run).
 */
class ImageFormatsIT {
    @TempDir
    Path tmp;

    private final List<String> images = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String name : images) {
            Jbox.run("image", "rm", name);
        }
        Jbox.cleanUp();
    }

    private String name(String prefix) {
        String name = prefix + "-" + Long.toHexString(System.nanoTime());
        images.add(name);
        return name;
    }

    private static OciLayout.Layer withMessage(String message) throws Exception {
        return new OciLayout.Layer().busybox().dir("etc").file("etc/msg", message)
                .file("etc/owned", "x".getBytes(StandardCharsets.UTF_8), 0644, 1000);
    }

    @Test
    void anOciLayoutWithWhiteoutsAndAnOpaqueDirImportsExactly() throws Exception {
        OciLayout.Layer lower = new OciLayout.Layer().busybox().dir("data")
                .file("data/keep", "keep\n").file("data/gone", "gone\n")
                .dir("data/sub").file("data/sub/x", "x\n")
                .dir("data/opq").file("data/opq/old", "old\n").dir("data/opq/olddir").file("data/opq/olddir/y", "y\n");
        OciLayout.Layer upper = new OciLayout.Layer()
                .file("data/.wh.gone", "").file("data/.wh.sub", "")
                .dir("data/opq").file("data/opq/.wh..wh..opq", "").file("data/opq/new", "new\n")
                .file("data/added", "added\n");
        Path layout = OciLayout.write(tmp.resolve("layout"), "v1", List.of("/bin/sh", "-c",
                "echo $FROM_IMAGE; /bin/busybox find /data | /bin/busybox sort"), lower, upper).dir();
        String name = name("layers");

        Jbox.Result imp = Jbox.run("image", "import", name, layout.toString());
        assertEquals(0, imp.code(), imp.all());

        Jbox.Result defaults = Jbox.run("run", "--rm", "--net", "none", name);
        assertEquals("yes\n/data\n/data/added\n/data/keep\n/data/opq\n/data/opq/new\n", defaults.out(), defaults.all());
        Jbox.Result cat = Jbox.run("run", "--rm", "--net", "none", name, "cat", "/data/keep", "/data/opq/new");
        assertEquals("keep\nnew\n", cat.out(), cat.all());
        String meta = Files.readString(Jbox.DATA.resolve("images").resolve(name).resolve("image.json"));
        assertTrue(meta.contains("\"digest\" : \"sha256:") && meta.contains("\"configDigest\" : \"sha256:"), meta);
    }

    @Test
    void aTamperedBlobFailsWith125AndLeavesNoImageNorStaging() throws Exception {
        OciLayout.Written layout = OciLayout.write(tmp.resolve("layout"), "v1", List.of("/bin/sh"),
                withMessage("original\n"), new OciLayout.Layer().file("etc/msg", "upper\n"));
        String layer = layout.layerDigests().get(1);
        Path blob = layout.blob(layer);
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(blob, bytes);
        String name = name("tampered");

        Jbox.Result r = Jbox.run("image", "import", name, layout.dir().toString());

        assertEquals(125, r.code(), r.all());
        assertEquals(1, r.err().lines().count(), r.all());
        assertTrue(r.err().contains("does not match its digest: expected " + layer + ", got "
                + OciLayout.sha256(bytes)), r.all());
        assertFalse(Jbox.run("image", "ls").out().contains(name));
        assertFalse(Files.exists(Jbox.DATA.resolve("images").resolve(name)));
        try (var s = Files.list(Jbox.DATA.resolve("images"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "staging left behind");
        }
    }

    @Test
    void layoutsWrittenBySkopeoImportAndRun() throws Exception {
        assumeTrue(Podman.installed("skopeo"), "skopeo is not installed");
        Path source = OciLayout.write(tmp.resolve("source"), "v1", List.of("/bin/sh"),
                withMessage("via skopeo\n")).dir();
        try (Podman tools = new Podman(tmp.resolve("tools"))) {
            Path copied = tmp.resolve("copied");
            check(tools.skopeo("copy", "oci:" + source + ":v1", "oci:" + copied + ":v1"));
            Path dir = tmp.resolve("dir");
            check(tools.skopeo("copy", "oci:" + source + ":v1", "dir:" + dir));
            Path archive = tmp.resolve("from-dir.tar");
            check(tools.skopeo("copy", "dir:" + dir, "oci-archive:" + archive + ":v2"));

            String fromLayout = name("skopeo-oci");
            check(Jbox.run("image", "import", "--ref", "v1", fromLayout, copied.toString()));
            assertRuns(fromLayout, "via skopeo\n");
            String fromDir = name("skopeo-dir");
            check(Jbox.run("image", "import", fromDir, archive.toString()));
            assertRuns(fromDir, "via skopeo\n");
        }
    }

    @Test
    void dockerAndOciArchivesSavedByPodmanImportAndRun() throws Exception {
        assumeTrue(Podman.installed("podman"), "podman is not installed");
        Path rootfs = tmp.resolve("rootfs.tar");
        Files.write(rootfs, withMessage("via podman\n").bytes());
        try (Podman tools = new Podman(tmp.resolve("tools"))) {
            check(tools.podman("import", "--change", "CMD [\"/bin/cat\", \"/etc/msg\"]", "--change", "ENV FROM_PODMAN=1",
                    rootfs.toString(), "jbox-it-import:1"));
            Path docker = tmp.resolve("docker.tar");
            check(tools.podman("save", "--format", "docker-archive", "-o", docker.toString(), "jbox-it-import:1"));
            Path oci = tmp.resolve("oci.tar");
            check(tools.podman("save", "--format", "oci-archive", "-o", oci.toString(), "jbox-it-import:1"));

            String fromDocker = name("podman-docker");
            check(Jbox.run("image", "import", fromDocker, docker.toString()));
            Jbox.Result r = Jbox.run("run", "--rm", "--net", "none", fromDocker);
            assertEquals("via podman\n", r.out(), r.all());
            Jbox.Result env = Jbox.run("run", "--rm", "--net", "none", fromDocker, "/bin/sh", "-c", "echo $FROM_PODMAN");
            assertEquals("1\n", env.out(), env.all());
            String fromOci = name("podman-oci");
            check(Jbox.run("image", "import", fromOci, oci.toString()));
            assertRuns(fromOci, "via podman\n");
        }
    }

    @Test
    void anExportedImageIsReadBySkopeoAndPodmanAndComesBack() throws Exception {
        assumeTrue(Podman.installed("skopeo") && Podman.installed("podman"), "skopeo or podman is not installed");
        Path layout = OciLayout.write(tmp.resolve("layout"), "v1", List.of("/bin/cat", "/etc/msg"),
                withMessage("round trip\n")).dir();
        String original = name("export");
        check(Jbox.run("image", "import", original, layout.toString()));
        try (Podman tools = new Podman(tmp.resolve("tools"))) {
            Path exported = tmp.resolve("exported");
            check(Jbox.run("image", "export", original, exported.toString()));
            Jbox.Result inspect = tools.skopeo("inspect", "oci:" + exported);
            check(inspect);
            assertTrue(inspect.out().contains("\"Architecture\": \"amd64\""), inspect.all());
            check(tools.skopeo("copy", "oci:" + exported + ":" + original + ":latest", "dir:" + tmp.resolve("dir")));

            Path archive = tmp.resolve("exported.tar");
            check(Jbox.run("image", "export", original, archive.toString()));
            Jbox.Result load = tools.podman("load", "-i", archive.toString());
            check(load);
            String loaded = load.out().lines().filter(l -> l.startsWith("Loaded image"))
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1)).findFirst().orElseThrow();
            Path saved = tmp.resolve("saved.tar");
            check(tools.podman("save", "--format", "docker-archive", "-o", saved.toString(), loaded));

            String back = name("roundtrip");
            check(Jbox.run("image", "import", back, saved.toString()));
            Jbox.Result r = Jbox.run("run", "--rm", "--net", "none", back);
            assertEquals("round trip\n", r.out(), r.all());
            Jbox.Result owner = Jbox.run("run", "--rm", "--net", "none", back,
                    "/bin/busybox", "stat", "-c", "%u %n", "/etc/owned", "/etc/msg");
            assertEquals("1000 /etc/owned\n0 /etc/msg\n", owner.out(), owner.all());
        }
    }

    private static void assertRuns(String image, String expected) throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--net", "none", image, "cat", "/etc/msg");
        assertEquals(expected, r.out(), r.all());
    }

    private static void check(Jbox.Result r) {
        assertEquals(0, r.code(), r.all());
    }
}
