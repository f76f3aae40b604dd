// The engines a test run starts, on a private location: found by their pid files, stopped, their cgroups removed.
package jbox.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * failsafe gives every jbox of a test run JBOX_ENGINE (on or off) and JBOX_ENGINE_SOCKET, a
 * directory of this run's own (runtime/pom.xml): with the engine on, each set of namespaces a
 * test calls jbox from (the host's, a TestNetns's) gets an engine there, never in /run/jbox/engine.
 * {@link #stop} ends those of one directory (all, or those of one network namespace): SIGTERM,
 * so the engine removes its socket and cgroup itself; SIGKILL after the deadline, and then its
 * cgroup is removed here. Nothing is left of a directory once {@link #stopAll} ran.
 */
final class Engines {
    /** This run's engine directory (null outside failsafe: then only a test's own directories exist). */
    static final Path DIR = dir(System.getenv("JBOX_ENGINE_SOCKET"));
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    private static final String PARENT = "jbox-engine";

    private Engines() {
    }

    private static boolean registered;

    /** Once per test JVM: this run's engines are stopped when the JVM exits, pass or fail. */
    static synchronized void stopAllAtExit() {
        if (registered || DIR == null) {
            return;
        }
        registered = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                stopAll(DIR);
            } catch (Exception e) {
                System.err.println("cannot stop the test run's engines in " + DIR + ": " + e);
            }
        }));
    }

    private static Path dir(String env) {
        return env == null || env.isEmpty() ? null : Path.of(env);
    }

    /** Whether the ITs run against the engine (failsafe's JBOX_ENGINE, from -Djbox.engine). */
    static boolean on() {
        return !"off".equals(System.getenv("JBOX_ENGINE"));
    }

    /** A private engine directory of a test's own, short enough for a socket path (KEY is ~60 bytes). */
    static Path privateDir() throws IOException {
        Path d = Files.createTempDirectory(Path.of("/run"), "jbox-it-e");
        Files.setAttribute(d, "unix:mode", 0700);
        return d;
    }

    /** Stops every engine of {@code dir} and removes the directory. */
    static void stopAll(Path dir) throws Exception {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        stop(dir, key -> true);
        new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
    }

    /** Stops the engines of {@code dir} serving network namespace {@code netnsPath} (e.g. /var/run/netns/NAME). */
    static void stopInNetns(Path dir, Path netnsPath) throws Exception {
        if (dir == null || !Files.isDirectory(dir) || !Files.exists(netnsPath)) {
            return;
        }
        String n = "-n" + Files.getAttribute(netnsPath, "unix:ino") + "-";
        stop(dir, key -> key.contains(n));
    }

    /** The engines whose key matches: SIGTERM, wait, SIGKILL if need be; then no cgroup of theirs is left. */
    static void stop(Path dir, Predicate<String> key) throws Exception {
        List<Path> pids;
        try (Stream<Path> s = Files.list(dir)) {
            pids = s.filter(p -> p.getFileName().toString().endsWith(".pid") && key.test(p.getFileName().toString())).toList();
        }
        List<Path> locks;
        try (Stream<Path> s = Files.list(dir)) {
            locks = s.filter(p -> p.getFileName().toString().endsWith(".lock") && key.test(p.getFileName().toString())).toList();
        }
        for (Path pidFile : pids) {
            ProcessHandle engine = live(pidFile);
            if (engine != null) {
                engine.destroy();
                if (!Await.within(java.time.Duration.ofSeconds(15), () -> !engine.isAlive())) {
                    engine.destroyForcibly();
                    Await.until("engine " + engine.pid() + " dies", () -> !engine.isAlive());
                }
            }
        }
        for (Path lock : locks) {
            String f = lock.toString();
            removeCgroup(Path.of(f.substring(0, f.length() - ".lock".length()) + ".sock"));
        }
    }

    /** The live process a pid file names (pid and start time), or null. */
    private static ProcessHandle live(Path pidFile) {
        try {
            String[] f = Files.readString(pidFile).trim().split(" ");
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            return jbox.runtime.ProcessStart.alive(pid, start) ? ProcessHandle.of(pid).orElse(null) : null;
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /** The cgroup of the engine on {@code socket} (engine.cgroup's default parent), in every hierarchy; the parent when empty. */
    static void removeCgroup(Path socket) throws Exception {
        String name = "engine-" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(socket.toString().getBytes(StandardCharsets.UTF_8)), 0, 8);
        List<Path> roots;
        if (Files.exists(CGROUPS.resolve("cgroup.controllers"))) { // v2: the one tree
            roots = List.of(CGROUPS);
        } else {
            try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
                roots = hierarchies.filter(p -> Files.isDirectory(p) && !Files.isSymbolicLink(p)).toList();
            }
        }
        for (Path h : roots) {
            Path own = h.resolve(PARENT).resolve(name);
            // a process still leaving it (an engine's last thread) keeps it busy for a moment
            Await.until("cgroup " + own + " removed", () -> {
                try {
                    Files.deleteIfExists(own);
                    return true;
                } catch (IOException busy) {
                    return false;
                }
            });
            try {
                Files.deleteIfExists(h.resolve(PARENT));
            } catch (IOException otherEngines) {
                // another engine's (another test run, the host's)
            }
        }
    }
}
