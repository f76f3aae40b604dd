package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import jbox.it.RuncBundle.Both;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The resources and devices of docs/oci-config.md, run by runc and by jbox side by side from
 * `runc spec`'s config: the container reads its own cgroup files (a cgroup mount shows the
 * container's own directories) and its device nodes, and jbox must show what runc shows; where
 * runc fails on this host, jbox fails too, with one line naming the field. Cgroups live in this
 * test's own sub-tree (/jbox-resources-it-PID), removed afterwards, deepest first.
 */
class OciResourcesIT {
    private static final String CGROUP_PARENT = "jbox-resources-it-" + ProcessHandle.current().pid();
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
        // The user-namespace test's mapped root must reach the rootfs.
        dir = RuncBundle.workDir("jbox-resources-it");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
        RuncBundle.removeCgroups(CGROUP_PARENT);
    }

    /** runc spec's config with a cgroup mount and its own cgroupsPath per runtime, changed by {@code edit}. */
    private static Path bundle(String name, String runtime, String script, Consumer<ObjectNode> edit) throws Exception {
        return RuncBundle.write(dir, dir.resolve(name + "-" + runtime), script, c -> {
            c.with("linux").put("cgroupsPath", "/" + CGROUP_PARENT + "/" + name + "-" + runtime);
            RuncBundle.mountCgroups(c);
            edit.accept(c);
        });
    }

    private static Both runBoth(String name, String script, Consumer<ObjectNode> edit) throws Exception {
        return RuncBundle.runBoth(dir, bundle(name, "runc", script, edit), bundle(name, "jbox", script, edit), name);
    }

    /** Both fail; jbox says so in one line that names {@code names}, and leaves no cgroup behind. */
    private static void bothRefuse(Both b, String name, String names) {
        assertNotEquals(0, b.runc().code(), "runc runs it: " + b.runc().all());
        assertEquals(125, b.jbox().code(), "jbox: " + b.jbox().all());
        assertEquals(1, b.jbox().err().strip().lines().count(), b.jbox().err());
        assertTrue(b.jbox().err().startsWith("jbox: ") && b.jbox().err().contains(names), b.jbox().err());
        for (String h : List.of("memory", "cpu", "blkio", "pids")) {
            assertFalse(Files.exists(Path.of("/sys/fs/cgroup", h, CGROUP_PARENT, name + "-jbox")), h + " left behind");
        }
    }

    /** A disk's MAJ:MIN for blkio throttles: the first /sys/block entry backed by a device. */
    private static String disk() throws Exception {
        try (var entries = Files.list(Path.of("/sys/block"))) {
            for (Path d : entries.sorted().toList()) {
                if (Files.exists(d.resolve("device"))) {
                    return Files.readString(d.resolve("dev")).strip();
                }
            }
        }
        throw new IllegalStateException("no block device with a device link under /sys/block");
    }

    @Test
    void memoryCpusetRealtimeAndThrottlesAreWrittenAsRuncWritesThem() throws Exception {
        String[] disk = disk().split(":");
        String script = "cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes"
                + " memory/memory.swappiness; grep oom_kill_disable memory/memory.oom_control;"
                + " cat cpuset/cpuset.cpus cpuset/cpuset.mems cpu/cpu.rt_period_us cpu/cpu.rt_runtime_us cpu/cpu.idle"
                + " cpu/cpu.cfs_burst_us memory/memory.kmem.limit_in_bytes;"
                + " for f in blkio/blkio.throttle.*_device; do echo $f; cat $f; done";
        Both b = runBoth("limits", script, c -> {
            ObjectNode r = c.with("linux").with("resources");
            r.putObject("memory").put("limit", 256L << 20).put("reservation", 128L << 20).put("swappiness", 10)
                    .put("disableOOMKiller", true).put("useHierarchy", true).put("kernel", 64L << 20).put("kernelTCP", 1L << 20);
            r.putObject("cpu").put("cpus", "0").put("mems", "0").put("realtimePeriod", 500000).put("idle", 1)
                    .put("quota", 50000).put("period", 100000).put("burst", 10000);
            ObjectNode io = r.putObject("blockIO");
            io.putArray("throttleReadBpsDevice").addObject().put("major", Long.parseLong(disk[0])).put("minor", Long.parseLong(disk[1])).put("rate", 1048576);
            io.putArray("throttleWriteIOPSDevice").addObject().put("major", Long.parseLong(disk[0])).put("minor", Long.parseLong(disk[1])).put("rate", 100);
        });
        RuncBundle.sameSuccess(b);
        assertTrue(b.jbox().out().startsWith("268435456\n134217728\n10\noom_kill_disable 1\n0\n0\n500000\n0\n0\n0\n"), b.jbox().out());
        assertTrue(b.jbox().out().contains("blkio.throttle.read_bps_device\n" + disk() + " 1048576\n"), b.jbox().out());
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/memory", CGROUP_PARENT, "limits-jbox")), "the leaf goes at delete");
    }

    /** Where runc fails on this host, jbox fails too: before anything runs, with the field's name. */
    @Test
    void whatRuncRefusesOnThisHostJboxRefusesByName() throws Exception {
        if (!Files.exists(Path.of("/sys/fs/cgroup/hugetlb"))) {
            bothRefuse(runBoth("huge", "true", c -> c.with("linux").with("resources").putArray("hugepageLimits")
                    .addObject().put("pageSize", "2MB").put("limit", 4L << 20)), "huge", "linux.resources.hugepageLimits");
        }
        if (!Files.exists(Path.of("/sys/fs/cgroup/net_cls"))) {
            bothRefuse(runBoth("netcls", "true", c -> c.with("linux").with("resources").putObject("network")
                    .put("classID", 1048577)), "netcls", "linux.resources.network.classID");
        }
        bothRefuse(runBoth("unified", "true", c -> c.with("linux").with("resources").putObject("unified")
                .put("memory.high", "1000000")), "unified", "linux.resources.unified");
        if (!Files.exists(Path.of("/sys/module/apparmor"))) {
            bothRefuse(runBoth("apparmor", "true", c -> c.with("process").put("apparmorProfile", "docker-default")),
                    "apparmor", "process.apparmorProfile");
        }
        // The parent's real-time runtime is 0 here: the kernel refuses any for the child (EINVAL), to both.
        Both rt = runBoth("rt", "true", c -> c.with("linux").with("resources").putObject("cpu").put("realtimeRuntime", 1000));
        bothRefuse(rt, "rt", "cpu.rt_runtime_us: invalid argument");
        if (!Files.exists(Path.of("/sys/fs/cgroup/blkio/blkio.weight")) && !Files.exists(Path.of("/sys/fs/cgroup/blkio/blkio.bfq.weight"))) {
            bothRefuse(runBoth("weight", "true", c -> c.with("linux").with("resources").putObject("blockIO").put("weight", 500)),
                    "weight", "blkio.bfq.weight");
        }
    }

    /** config-linux.md, Devices: the nodes are made with their type, numbers, mode and owner; no cgroup rule opens them. */
    @Test
    void devicesAreMadeAsRuncMakesThem() throws Exception {
        String script = "stat -c '%n %a %u %g %t %T %F' /dev/fuse /dev/sub/loopx /dev/myfifo /dev/null;"
                + " echo x > /dev/fuse; echo write=$?";
        Both b = runBoth("devices", script, c -> {
            ArrayNode d = c.with("linux").putArray("devices");
            d.addObject().put("path", "/dev/fuse").put("type", "c").put("major", 10).put("minor", 229)
                    .put("fileMode", 0606).put("uid", 1000).put("gid", 100);
            d.addObject().put("path", "/dev/sub/loopx").put("type", "b").put("major", 7).put("minor", 200);
            d.addObject().put("path", "/dev/myfifo").put("type", "p");
        });
        RuncBundle.sameSuccess(b);
        assertTrue(b.jbox().out().startsWith("/dev/fuse 606 1000 100 a e5 character special file\n"
                + "/dev/sub/loopx 666 0 0 7 c8 block special file\n/dev/myfifo 666 0 0 0 0 fifo\n"), b.jbox().out());
        assertTrue(b.jbox().out().endsWith("write=1\n"), "runc's default rules deny it: " + b.jbox().out());
        for (Jbox.Result r : List.of(b.runc(), b.jbox())) {
            // Mode 0606 lets root write as "other": the device cgroup is what refuses (EPERM, not EACCES).
            assertTrue(r.err().contains("can't create /dev/fuse: Operation not permitted"), r.all());
        }
    }

    /** In a user namespace mknod is refused: both bind the host's node, whose own mode and owner show. */
    @Test
    void inAUserNamespaceTheHostsNodeIsBoundAsRuncDoes() throws Exception {
        Both b = runBoth("userns", "stat -c '%n %a %t %T %F' /dev/fuse", c -> {
            c.with("linux").putArray("devices").addObject().put("path", "/dev/fuse").put("type", "c").put("major", 10)
                    .put("minor", 229).put("fileMode", 0666);
            ((ArrayNode) c.with("linux").withArray("namespaces")).addObject().put("type", "user");
            c.with("linux").putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
            c.with("linux").putArray("gidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
            // A v1 cgroup mount is refused inside a user namespace: read nothing from it here.
            ArrayNode mounts = c.withArray("mounts");
            for (int i = mounts.size() - 1; i >= 0; i--) {
                if ("cgroup".equals(mounts.get(i).path("type").asText()) || "sysfs".equals(mounts.get(i).path("type").asText())) {
                    mounts.remove(i);
                }
            }
        });
        RuncBundle.sameSuccess(b);
        String host = Jbox.host("stat", "-c", "%a", "/dev/fuse").strip();
        assertEquals("/dev/fuse " + host + " a e5 character special file\n", b.jbox().out());
    }
}
