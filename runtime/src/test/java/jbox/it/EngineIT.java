package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The resident engine on a private socket (JBOX_ENGINE_SOCKET's way), driven by client.py, a
 * stand-in for the native front end that speaks ENGINE-PROTOCOL.md (until launcher-c-shim's
 * front end lands, these calls go through it). Each test starts its own engine and kills it after.
 */
class EngineIT {
    private static final Path CLIENT = Path.of("src/test/resources/engine/client.py").toAbsolutePath();
    private Path dir;
    private Path socket;
    private Path config;
    private Process engine;

    @BeforeAll
    static void images() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void privateSocket() throws Exception {
        dir = Files.createTempDirectory(Path.of("/tmp"), "jbox-engine-it");
        socket = dir.resolve("e.sock");
        config = Jbox.configWith(dir, "engine.idle=10m");
    }

    @AfterEach
    void stopEngine() throws Exception {
        if (engine != null && engine.isAlive()) {
            engine.destroyForcibly().waitFor();
        }
        // its cgroup (one per socket, in every hierarchy), empty once it is dead; and the parent if no other engine uses it
        String name = "engine-" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(socket.toString().getBytes(StandardCharsets.UTF_8)), 0, 8);
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.filter(p -> !Files.isSymbolicLink(p)).toList()) {
                for (Path p : List.of(h.resolve("jbox-engine").resolve(name), h.resolve("jbox-engine"))) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException stillUsed) {
                        // another engine's
                    }
                }
            }
        }
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
        Jbox.cleanUp();
    }

    private void startEngine() throws Exception {
        ProcessBuilder pb = Jbox.builder("engine", "--socket", socket.toString());
        pb.environment().put("JBOX_CONFIG", config.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("engine.log").toFile());
        engine = pb.start();
        Await.until("the engine serves " + socket, () -> Files.exists(socket) && client("--version").code() == 0);
    }

    private ProcessBuilder clientBuilder(String... args) {
        List<String> cmd = new ArrayList<>(List.of("python3", CLIENT.toString(), socket.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JBOX_CONFIG", config.toString());
        return pb;
    }

    private Jbox.Result client(String... args) throws Exception {
        Process p = clientBuilder(args).start();
        p.getOutputStream().close();
        return Jbox.finish(p);
    }

    @Test
    void exitStatusesAndOutputAsTheColdPath() throws Exception {
        startEngine();
        Jbox.Result r = client("run", "--rm", "--net", "none", Jbox.IMAGE, "sh", "-c", "echo out; echo err >&2; exit 42");
        assertEquals(42, r.code(), r.all());
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        assertEquals(127, client("run", "--rm", "--net", "none", Jbox.IMAGE, "nosuch").code());
        assertEquals(126, client("run", "--rm", "--net", "none", Jbox.IMAGE, "/etc").code());
        Jbox.Result missing = client("run", "--rm", "--net", "none", "no-such-image", "true");
        assertEquals(125, missing.code(), missing.all());
        assertEquals(Jbox.run("run", "--rm", "--net", "none", "no-such-image", "true").err(), missing.err(), "as the cold path words it");
        assertEquals(Jbox.run("image", "ls").out(), client("image", "ls").out(), "byte-identical to the cold path");
    }

    @Test
    void concurrentRunsAllSucceedEachInItsOwnContainer() throws Exception {
        startEngine();
        int n = 20;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Jbox.Result>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                runs.add(pool.submit(() -> client("run", "--rm", "--net", "none", Jbox.IMAGE, "hostname")));
            }
            Set<String> hosts = new HashSet<>();
            for (Future<Jbox.Result> f : runs) {
                Jbox.Result r = f.get();
                assertEquals(0, r.code(), r.all());
                hosts.add(r.out());
            }
            assertEquals(n, hosts.size(), "one container each: " + hosts);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aNonRootClientIsRefused() throws Exception {
        startEngine();
        // The socket is 0600 in a root-only place; open it up so the refusal has to come from SO_PEERCRED.
        Files.setAttribute(socket, "unix:mode", 0666);
        Files.setAttribute(dir, "unix:mode", 0755);
        Path client = dir.resolve("client.py"); // where nobody can read it
        Files.copy(CLIENT, client);
        Files.setAttribute(client, "unix:mode", 0644);
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/python3", client.toString(), socket.toString(), "--version")); // not root's own python
        Process p = new ProcessBuilder(cmd).start();
        Jbox.Result r = Jbox.finish(p);
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: the engine serves root only, not user nobody\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void aMalformedFrameIsOneLineAndExit125() throws Exception {
        startEngine();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(99).putInt(0).flip();
            ch.write(b);
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (ch.read(in) > 0) {
                // until the engine closes
            }
            in.flip().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(102, in.getInt(), "STDERR first");
            byte[] text = new byte[in.getInt()];
            in.get(text);
            assertEquals("jbox: malformed frame from the front end: unknown frame type 99\n",
                    new String(text, StandardCharsets.UTF_8));
            assertEquals(106, in.getInt());
            assertEquals(4, in.getInt());
            assertEquals(125, in.getInt());
            assertFalse(in.hasRemaining());
        }
        assertEquals(0, client("--version").code(), "the engine still serves");
    }

    @Test
    void anEngineKilledMidRunIsLikeAKilledJboxAndTheNextOneReplacesItsSocket() throws Exception {
        startEngine();
        Jbox.Result detached = client("run", "-d", "--net", "none", Jbox.IMAGE, "sleep", "600");
        assertEquals(0, detached.code(), detached.all());
        String id = detached.out().trim();
        Process attached = clientBuilder("run", "--rm", "--net", "none", "--name", "engine-it-attached", Jbox.IMAGE,
                "sleep", "600").start();
        Await.until("the attached container runs", () -> Jbox.run("ps").out().contains("engine-it-attached"));
        engine.destroyForcibly().waitFor();
        Jbox.Result lost = Jbox.finish(attached);
        assertEquals(125, lost.code(), lost.all());
        assertEquals("jbox: lost the connection to the engine\n", lost.err());
        Await.until("the attached container ends with its engine", () -> !Jbox.run("ps").out().contains("engine-it-attached"));
        assertTrue(Jbox.run("ps").out().contains(id.substring(0, 12)), "the detached container lives on");
        assertTrue(Files.exists(socket), "a killed engine leaves its socket");
        startEngine(); // replaces the stale socket
        assertEquals(0, client("rm", "-f", id).code());
        Jbox.Result prune = Jbox.run("system", "prune");
        assertEquals(0, prune.code(), prune.all());
        assertFalse(Jbox.run("ps", "-a").out().contains("engine-it-attached"), "nothing of it is left");
    }

    @Test
    void anIdleEngineExitsAndRemovesItsSocket() throws Exception {
        config = Jbox.configWith(dir, "engine.idle=1s");
        startEngine();
        Await.until("the idle engine exits", () -> !engine.isAlive());
        assertEquals(0, engine.exitValue());
        assertFalse(Files.exists(socket));
    }
}
