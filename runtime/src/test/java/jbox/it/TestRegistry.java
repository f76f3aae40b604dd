// A private CNCF distribution registry (Debian's docker-registry) on a free loopback port, with its own config and storage.
package jbox.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Started by a test class and stopped by it (close: SIGTERM, then SIGKILL); it listens on
 * 127.0.0.1 only and serves plain HTTP, which jbox allows for loopback without configuration.
 * With a user, it requires htpasswd basic auth (bcrypt, as the registry insists).
 */
final class TestRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    final int port;
    final Path storage;
    final Path log;

    private TestRegistry(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** @param user null: anonymous access; else basic auth for user/password */
    static TestRegistry start(Path dir, String user, String password) throws Exception {
        Files.createDirectories(dir);
        Path storage = dir.resolve("storage");
        Path log = dir.resolve("registry.log");
        int port = freePort();
        StringBuilder config = new StringBuilder("version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + storage + "\n  delete:\n    enabled: true\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n");
        if (user != null) {
            Path htpasswd = dir.resolve("htpasswd");
            Process p = new ProcessBuilder("htpasswd", "-Bbn", user, password).start();
            Files.write(htpasswd, p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IllegalStateException("htpasswd failed");
            }
            config.append("auth:\n  htpasswd:\n    realm: jbox-it\n    path: ").append(htpasswd).append('\n');
        }
        Path file = Files.writeString(dir.resolve("config.yml"), config);
        Process process = new ProcessBuilder(BINARY.toString(), "serve", file.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestRegistry r = new TestRegistry(process, port, storage, log);
        try {
            Await.until("registry listening on 127.0.0.1:" + port, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("registry exited: " + Files.readString(log));
                }
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return true;
                } catch (IOException notYet) {
                    return false;
                }
            });
        } catch (Exception | Error e) {
            r.close();
            throw e;
        }
        return r;
    }

    String host() {
        return "127.0.0.1:" + port;
    }

    /** The file the registry serves a blob from (filesystem driver layout). */
    Path blobData(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex)
                .resolve("data");
    }

    String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
