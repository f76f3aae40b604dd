package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace (jbox-test-RANDOM) that stands in for the host in the networking
 * ITs: jbox runs inside it (nsenter --net, not `ip netns exec`, which would remount /sys and hide the
 * cgroup hierarchies prune looks at) with bridge networking on the test's own bridge and subnet, so
 * bridges, rules and veths go with the namespace. One per test: made in @BeforeEach, removed in @AfterEach.
 */
final class TestNetns {
    /** Cleanup work that may fail. */
    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    final String name = "jbox-test-" + Long.toHexString(System.nanoTime());
    final String bridge;
    /** The jbox config: bridge networking on {@link #bridge}; a test may point it elsewhere. */
    Path config;
    private final List<Process> started = new ArrayList<>();

    /** Makes the namespace with lo up, and a config in {@code tmp} for {@code bridge} on {@code subnet}. */
    TestNetns(Path tmp, String bridge, String subnet) throws Exception {
        this.bridge = bridge;
        assertEquals("", Jbox.host("ip", "netns", "add", name));
        Jbox.host("ip", "-n", name, "link", "set", "lo", "up");
        config = Jbox.configWith(tmp, "net.default=bridge\nnet.bridge.name=" + bridge + "\nnet.bridge.subnet=" + subnet);
    }

    /** jbox inside the namespace with {@code conf} as its config. */
    ProcessBuilder jbox(Path conf, String... args) {
        ProcessBuilder pb = Jbox.builder(args);
        pb.command().addAll(0, List.of("nsenter", "--net=/var/run/netns/" + name));
        pb.environment().put("JBOX_CONFIG", conf.toString());
        return pb;
    }

    /** jbox inside the namespace with the test config. */
    ProcessBuilder jbox(String... args) {
        return jbox(config, args);
    }

    /** A jbox started in the namespace (stdin closed), ended at {@link #remove} if still alive. */
    Process start(String... args) throws Exception {
        Process p = jbox(args).start();
        p.getOutputStream().close();
        started.add(p);
        return p;
    }

    Jbox.Result run(String... args) throws Exception {
        return Jbox.finish(start(args));
    }

    /** A command run in the namespace (as the host side of the bridge sees it); its output. */
    String inNs(String... cmd) throws Exception {
        return Jbox.host(nsenter(cmd).toArray(new String[0]));
    }

    /** A process of the "host" (the namespace), ended at {@link #remove}. */
    Process hostProcess(String... cmd) throws Exception {
        Process p = new ProcessBuilder(nsenter(cmd)).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    private List<String> nsenter(String... cmd) {
        List<String> c = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + name));
        c.addAll(List.of(cmd));
        return c;
    }

    /** One `jbox system prune` in the namespace; true when it removed nothing. */
    boolean pruneRemovesNothing() throws Exception {
        return !Jbox.finish(jbox("system", "prune").start()).out().contains("removed");
    }

    /**
     * Ends the started processes, waits (prune by prune) until {@code pruned} holds, runs {@code more};
     * always deletes the namespace and the bridge's lease and lock files in the shared state root.
     */
    void remove(Await.Condition pruned, Step more) throws Exception {
        try {
            for (Process p : started) {
                if (p.isAlive()) {
                    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            }
            Jbox.cleanUp();
            // A killed jbox's shim kills its container and exits; until then prune leaves it be.
            Await.within(Await.DEADLINE, pruned);
            more.run();
        } finally {
            // With the engine on, jbox in here started an engine of this namespace's own: it goes first,
            // else it would keep the namespace (and its bridge, rules and veths) alive after the del
            Engines.stopInNetns(Engines.DIR, Path.of("/var/run/netns", name));
            Jbox.host("ip", "netns", "del", name);
            for (String f : List.of("ipam-" + bridge + ".leases", "ipam-" + bridge + ".lock", "bridge-" + bridge + ".lock")) {
                Files.deleteIfExists(Jbox.STATE.resolve(f));
            }
        }
    }
}
