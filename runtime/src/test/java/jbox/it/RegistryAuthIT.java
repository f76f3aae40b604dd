package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `jbox login`, `pull`, `push` and `logout` against a registry of its own that requires htpasswd
 * basic auth, on a free 127.0.0.1 port; credentials go to a registry.auth_file in a temp dir.
 */
class RegistryAuthIT {
    private static final String USER = "alice";
    private static final String PASSWORD = "wonder-land-7";

    @TempDir
    static Path shared;

    private static TestRegistry registry;
    private static Podman tools;
    private static Path config;
    private static Path authFile;

    @BeforeAll
    static void setUp() throws Exception {
        assumeTrue(TestRegistry.installed(), "docker-registry is not installed (scripts/install-deps.sh)");
        assumeTrue(Podman.installed("skopeo"), "skopeo is not installed");
        Jbox.setUp();
        registry = TestRegistry.start(shared.resolve("registry"), USER, PASSWORD);
        tools = new Podman(shared.resolve("tools"));
        authFile = shared.resolve("jbox-auth/auth.json");
        config = Jbox.configWith(shared, "registry.auth_file=" + authFile);
    }

    @AfterAll
    static void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (tools != null) {
            tools.close();
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        run(null, "image", "rm", registry.host() + "/private/app:1");
        run(null, "logout", registry.host());
        Jbox.cleanUp();
    }

    private static Jbox.Result run(String stdin, String... args) throws Exception {
        ProcessBuilder pb = Jbox.builder(args);
        pb.environment().put("JBOX_CONFIG", config.toString());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes());
        }
        p.getOutputStream().close();
        return Jbox.finish(p);
    }

    @Test
    void loginStoresCheckedCredentialsRootOnlyAndPullAndPushUseThem(@TempDir Path tmp) throws Exception {
        Path layout = OciLayout.write(tmp.resolve("layout"), "v1", List.of("/bin/cat", "/etc/msg"),
                new OciLayout.Layer().busybox().dir("etc").file("etc/msg", "private\n")).dir();
        String name = registry.host() + "/private/app:1";
        assertEquals(0, tools.skopeo("copy", "--dest-tls-verify=false", "--dest-creds", USER + ":" + PASSWORD,
                "oci:" + layout + ":v1", "docker://" + name).code());

        Jbox.Result anonymous = run(null, "pull", name);
        assertEquals(125, anonymous.code(), anonymous.all());
        assertEquals("jbox: pull " + name + ": registry " + registry.host() + " requires a login (run: jbox login "
                + registry.host() + ")\n", anonymous.err());

        Jbox.Result wrong = run("not-it\n", "login", "-u", USER, "--password-stdin", registry.host());
        assertEquals(125, wrong.code(), wrong.all());
        assertTrue(wrong.err().contains("refused the credentials of alice"), wrong.all());
        assertTrue(!Files.exists(authFile), "nothing stored for refused credentials");

        Jbox.Result login = run(PASSWORD + "\n", "login", "-u", USER, "--password-stdin", registry.host());
        assertEquals(0, login.code(), login.all());
        assertEquals(0600, (Integer) Files.getAttribute(authFile, "unix:mode") & 07777);
        assertEquals(0700, (Integer) Files.getAttribute(authFile.getParent(), "unix:mode") & 07777);
        String stored = Files.readString(authFile);
        assertTrue(stored.contains("\"" + registry.host() + "\"") && stored.contains(Base64.getEncoder()
                .encodeToString((USER + ":" + PASSWORD).getBytes())), stored);

        assertEquals(0, run(null, "pull", name).code());
        Jbox.Result cat = run(null, "run", "--rm", "--net", "none", name);
        assertEquals("private\n", cat.out(), cat.all());
        Jbox.Result push = run(null, "push", Jbox.IMAGE, registry.host() + "/private/busybox:pushed");
        assertEquals(0, push.code(), push.all());

        assertEquals("removed the credentials for " + registry.host() + "\n", run(null, "logout", registry.host()).out());
        assertEquals(125, run(null, "pull", registry.host() + "/private/busybox:pushed").code());
    }
}
