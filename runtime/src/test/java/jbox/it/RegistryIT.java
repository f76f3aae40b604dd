package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jbox pull`, `jbox run --pull` and `jbox push` against a real registry (Debian's docker-registry,
 * the CNCF distribution registry) that this class starts on a free 127.0.0.1 port with its own
 * storage; images are put there by skopeo and by `jbox push`. Nothing leaves loopback.
 */
class RegistryIT {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static TestRegistry registry;
    private static Podman tools;
    private final List<String> images = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(TestRegistry.installed(), "docker-registry is not installed (scripts/install-deps.sh)");
        assumeTrue(Podman.installed("skopeo"), "skopeo is not installed");
        Jbox.setUp();
        registry = TestRegistry.start(shared.resolve("registry"), null, null);
        tools = new Podman(shared.resolve("tools"));
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (tools != null) {
            tools.close();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String name : images) {
            Jbox.run("image", "rm", name);
        }
        // A test that failed mid-pull leaves its download to resume: gone here, so the tests after
        // it (each asserts that nothing is left) do not fail for it too.
        Path downloads = Jbox.DATA.resolve("downloads");
        if (Files.isDirectory(downloads)) {
            try (var s = Files.list(downloads)) {
                for (Path p : s.toList()) {
                    Jbox.host("rm", "-rf", "--one-file-system", p.toString());
                }
            }
        }
        Jbox.cleanUp();
    }

    private String image(String name) {
        images.add(name);
        return name;
    }

    /** Pushes an image with /etc/msg = {@code message} to REGISTRY/REPO:TAG with skopeo; returns its manifest digest. */
    private String pushWithSkopeo(String host, String repoTag, String message) throws Exception {
        Path layout = OciLayout.write(tmp.resolve("layout-" + System.nanoTime()), "v1", List.of("/bin/cat", "/etc/msg"),
                new OciLayout.Layer().busybox().dir("etc").file("etc/msg", message)).dir();
        check(tools.skopeo("copy", "--dest-tls-verify=false", "oci:" + layout + ":v1", "docker://" + host + "/" + repoTag));
        Jbox.Result inspect = tools.skopeo("inspect", "--tls-verify=false", "--format", "{{.Digest}}",
                "docker://" + host + "/" + repoTag);
        check(inspect);
        return inspect.out().trim();
    }

    private static void check(Jbox.Result r) {
        assertEquals(0, r.code(), r.all());
    }

    private static void assertNothingLeftBehind() throws Exception {
        Path downloads = Jbox.DATA.resolve("downloads");
        if (Files.isDirectory(downloads)) {
            try (var s = Files.list(downloads)) {
                assertEquals(List.of(), s.map(p -> p.getFileName().toString()).toList(), "downloads left behind");
            }
        }
        try (var s = Files.list(Jbox.DATA.resolve("images"))) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "staging left behind");
        }
    }

    @Test
    void pulledByTagAndByDigestAndRun() throws Exception {
        String digest = pushWithSkopeo(registry.host(), "team/app:1", "from the registry\n");
        String byTag = image(registry.host() + "/team/app:1");
        String byDigest = image(registry.host() + "/team/app@" + digest);

        Jbox.Result pull = Jbox.run("pull", byTag);
        check(pull);
        assertEquals("pulled " + byTag + " (" + digest + ")\n", pull.out(), pull.all());
        Jbox.Result run = Jbox.run("run", "--rm", "--net", "none", byTag);
        assertEquals("from the registry\n", run.out(), run.all());
        Jbox.Result again = Jbox.run("pull", byTag);
        assertEquals(byTag + " is up to date (" + digest + ")\n", again.out(), again.all());

        // jbox run pulls a missing image whose name says where it lives (--pull missing, the default)
        Jbox.Result runByDigest = Jbox.run("run", "--rm", "--net", "none", byDigest, "cat", "/etc/msg");
        assertEquals("from the registry\n", runByDigest.out(), runByDigest.all());
        assertTrue(runByDigest.err().contains("pulled " + byDigest), runByDigest.all());
        String meta = Files.readString(Jbox.DATA.resolve("images")
                .resolve(byDigest.replace('/', '+').replace(':', '_')).resolve("image.json"));
        assertTrue(meta.contains("\"digest\" : \"" + digest + "\""), meta);
        assertTrue(meta.contains("registry " + registry.host() + "/team/app@" + digest), meta);
        assertNothingLeftBehind();
    }

    @Test
    void runPullPolicies() throws Exception {
        pushWithSkopeo(registry.host(), "team/policy:1", "v1\n");
        String name = image(registry.host() + "/team/policy:1");

        Jbox.Result never = Jbox.run("run", "--rm", "--net", "none", "--pull", "never", name);
        assertEquals(125, never.code(), never.all());
        assertTrue(never.err().contains("image not found: " + name), never.all());

        check(Jbox.run("run", "--rm", "--net", "none", name));
        pushWithSkopeo(registry.host(), "team/policy:1", "v2\n");
        Jbox.Result missing = Jbox.run("run", "--rm", "--net", "none", name);
        assertEquals("v1\n", missing.out(), "present: not pulled again\n" + missing.all());
        Jbox.Result always = Jbox.run("run", "--rm", "--net", "none", "--pull", "always", name);
        assertEquals("v2\n", always.out(), "replaced by the newer image\n" + always.all());

        Jbox.Result bad = Jbox.run("run", "--rm", "--pull", "sometimes", name);
        assertEquals(125, bad.code(), bad.all());
        assertEquals("jbox: invalid --pull sometimes: expected missing, always or never\n", bad.err());
        assertNothingLeftBehind();
    }

    @Test
    void aMissingTagIsOneClearLine() throws Exception {
        pushWithSkopeo(registry.host(), "team/tags:1", "x\n");
        String name = registry.host() + "/team/tags:nosuch";

        Jbox.Result r = Jbox.run("pull", name);

        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: pull " + name + ": manifest " + name
                + " not found: registry answered 404: manifest unknown (MANIFEST_UNKNOWN)\n", r.err(), r.all());
        assertFalse(Jbox.run("image", "ls").out().contains("team/tags"));
    }

    @Test
    void aTamperedLayerIsRefusedAndNothingIsLeftBehind() throws Exception {
        String digest = pushWithSkopeo(registry.host(), "team/tampered:1", "original\n");
        String manifest = Files.readString(registry.blobData(digest));
        Matcher layer = Pattern.compile("tar\\+gzip\",\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(manifest);
        assertTrue(layer.find(), manifest);
        Path data = registry.blobData(layer.group(1));
        byte[] bytes = Files.readAllBytes(data);
        bytes[bytes.length / 2] ^= 0x55; // same size, other content
        Files.write(data, bytes);
        String name = image(registry.host() + "/team/tampered:1");

        Jbox.Result r = Jbox.run("pull", name);

        assertEquals(125, r.code(), r.all());
        assertTrue(r.err().contains("layer 1 from " + registry.host() + " does not match its digest: expected "
                + layer.group(1)), r.all());
        assertFalse(Jbox.run("image", "ls").out().contains("team/tampered"));
        assertNothingLeftBehind();
    }

    @Test
    void aZstdImageIsPulledVerifiedAndRun() throws Exception {
        Path layout = OciLayout.write(tmp.resolve("layout-zstd"), "v1", List.of("/bin/cat", "/etc/msg"),
                new OciLayout.Layer().busybox().dir("etc").file("etc/msg", "from a zstd layer\n")).dir();
        String name = image(registry.host() + "/team/zstd:1");
        check(tools.skopeo("copy", "--dest-tls-verify=false", "--dest-compress-format", "zstd",
                "oci:" + layout + ":v1", "docker://" + name));
        Jbox.Result inspect = tools.skopeo("inspect", "--tls-verify=false", "--format", "{{.Digest}}", "docker://" + name);
        check(inspect);
        String digest = inspect.out().trim();
        String manifest = Files.readString(registry.blobData(digest));
        assertTrue(manifest.contains("\"application/vnd.oci.image.layer.v1.tar+zstd\"")
                && !manifest.contains("gzip"), manifest);

        Jbox.Result pull = Jbox.run("pull", name);
        check(pull);
        assertEquals("pulled " + name + " (" + digest + ")\n", pull.out(), pull.all());
        Jbox.Result run = Jbox.run("run", "--rm", "--net", "none", name);
        assertEquals("from a zstd layer\n", run.out(), run.all());

        // zstd-jni's library was unpacked in a root-only directory of the state root, which went after the load
        try (var left = Files.list(Jbox.STATE)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("zstd-native")
                    || p.getFileName().toString().equals("native")).toList());
        }
        assertNothingLeftBehind();
    }

    @Test
    void aZstdMediaTypeOnGzipBytesIsOneLineAndNothingIsLeftBehind() throws Exception {
        String gzipDigest = pushWithSkopeo(registry.host(), "team/liar:gzip", "gzip really\n");
        String manifest = Files.readString(registry.blobData(gzipDigest));
        Matcher layer = Pattern.compile("tar\\+gzip\",\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(manifest);
        assertTrue(layer.find(), manifest);
        String name = image(registry.host() + "/team/liar:zstd");
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + registry.host() + "/v2/team/liar/manifests/zstd"))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString(manifest.replace("tar+gzip", "tar+zstd"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());

        Jbox.Result r = Jbox.run("pull", name);

        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: pull " + name + ": layer 1 blobs/sha256/" + layer.group(1).substring(7)
                + " has media type application/vnd.oci.image.layer.v1.tar+zstd but is not zstd-compressed"
                + " (it is gzip-compressed)\n", r.err(), r.all());
        assertFalse(Jbox.run("image", "ls").out().contains("team/liar"));
        assertNothingLeftBehind();
    }

    @Test
    void anInterruptedPullIsResumedWithARangeRequest() throws Exception {
        pushWithSkopeo(registry.host(), "team/big:1", "resumed\n");
        try (CuttingProxy proxy = new CuttingProxy(registry.port)) {
            String name = image(proxy.host() + "/team/big:1");
            proxy.cutPath = "/blobs/sha256:";
            proxy.cutAfter = 100_000;
            proxy.cuts.set(1 + 3); // the config's first attempt, then all three attempts of the layer

            Jbox.Result first = Jbox.run("pull", name);
            assertEquals(125, first.code(), first.all());
            java.util.regex.Matcher said = java.util.regex.Pattern.compile("was interrupted after (\\d+) of ").matcher(first.err());
            assertTrue(said.find() && first.err().endsWith("(run the pull again to resume)\n"), first.all());
            // Three attempts, each cut after 100,000 bytes; a cut connection may deliver a little less
            // than was sent before it (seen on a loaded machine), and what arrived is what is kept.
            long kept = Long.parseLong(said.group(1));
            assertTrue(kept > 0 && kept <= 300_000, first.all());
            try (var partial = Files.walk(Jbox.DATA.resolve("downloads"))) {
                List<Path> parts = partial.filter(p -> p.toString().endsWith(".partial")).toList();
                assertEquals(1, parts.size(), "the partial layer stays");
                assertEquals(kept, Files.size(parts.get(0)), "what the message says was kept");
            }

            Jbox.Result second = Jbox.run("pull", name);
            check(second);
            List<String> gets = proxy.requestsFor("/blobs/sha256:");
            assertTrue(gets.get(gets.size() - 1).endsWith("Range: bytes=" + kept + "-"), gets.toString());
            Jbox.Result run = Jbox.run("run", "--rm", "--net", "none", name);
            assertEquals("resumed\n", run.out(), run.all());
        }
        assertNothingLeftBehind();
    }

    @Test
    void pushedByJboxPulledBackAndSkippedWhenThere() throws Exception {
        String dest = registry.host() + "/jbox/pushed:1";
        image(dest);

        Jbox.Result push = Jbox.run("push", Jbox.IMAGE, dest);
        check(push);
        assertTrue(push.out().startsWith("pushed " + dest + " (sha256:"), push.all());
        check(tools.skopeo("inspect", "--tls-verify=false", "docker://" + dest));
        long uploads = count(registry.logText(), "\"PUT /v2/jbox/pushed/blobs/uploads/");
        assertEquals(2, uploads, "the layer and the config");

        Jbox.Result again = Jbox.run("push", Jbox.IMAGE, dest);
        check(again);
        assertEquals(push.out(), again.out(), "the same image exports to the same digests");
        assertEquals(uploads, count(registry.logText(), "\"PUT /v2/jbox/pushed/blobs/uploads/"), "HEAD found both blobs");

        check(Jbox.run("pull", dest));
        Jbox.Result run = Jbox.run("run", "--rm", "--net", "none", dest, "echo", "round trip");
        assertEquals("round trip\n", run.out(), run.all());
        assertNothingLeftBehind();
    }

    private static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
