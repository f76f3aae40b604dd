package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Facts about a running container, each seen from inside and, where it applies, from the host. */
class IsolationIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void commandIsPid1AndPsShowsOnlyTheContainer() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", "echo $$; ps -o pid,comm; true");
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals("1", lines.get(0), r.all());
        // header, sh as PID 1, and at most ps itself (busybox may run it in-process): no host process
        assertTrue(lines.size() - 1 <= 3, "ps saw: " + r.out());
        assertTrue(lines.get(2).trim().matches("1 +sh"), r.out());
        for (String l : lines.subList(2, lines.size())) {
            assertTrue(Integer.parseInt(l.trim().split(" +")[0]) < 10, "a pid from outside the namespace: " + l);
        }
    }

    @Test
    void hostnameIsSetInsideAndTheHostsIsUnchanged() throws Exception {
        String before = Jbox.host("hostname").trim();
        Jbox.Result r = Jbox.run("run", "--rm", "--hostname", "inside-box", Jbox.IMAGE, "sh", "-c", "hostname; cat /etc/hostname");
        assertEquals("inside-box\ninside-box\n", r.out(), r.all());
        assertEquals(before, Jbox.host("hostname").trim());
    }

    @Test
    void everyNamespaceDiffersFromTheHosts() throws Exception {
        List<String> types = List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts");
        StringBuilder cmd = new StringBuilder();
        for (String t : types) {
            cmd.append("readlink /proc/self/ns/").append(t).append(";");
        }
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", cmd.toString());
        assertEquals(0, r.code(), r.all());
        List<String> inside = r.out().lines().toList();
        assertEquals(types.size(), inside.size(), r.all());
        for (int i = 0; i < types.size(); i++) {
            String host = Files.readSymbolicLink(Path.of("/proc/self/ns/" + types.get(i))).toString();
            assertTrue(inside.get(i).startsWith(types.get(i) + ":["), inside.get(i));
            assertNotEquals(host, inside.get(i), types.get(i) + " namespace is shared with the host");
        }
    }

    @Test
    void idMapsGiveRootInsideAndTheMappedUidOutside() throws Exception {
        String name = Containers.uniqueName("ids");
        Process p = Jbox.start("run", "--rm", "--name", name, Jbox.IMAGE, "sh", "-c",
                "cat /proc/self/uid_map /proc/self/gid_map; id; echo ready; exec sleep 600");
        try {
            JsonNode s = Containers.awaitRunning(name);
            // everything it prints comes before "ready": the kill below cannot cut it short
            List<String> lines = new ArrayList<>();
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                lines.add(line.trim());
            }
            long pid = s.path("pid").asLong();
            // The host sees the container's root as the first id of the mapped range.
            Await.within(Await.DEADLINE, () -> Containers.procStatus(pid, "Uid").startsWith("100000"));
            String uid = Containers.procStatus(pid, "Uid");
            assertEquals("100000\t100000\t100000\t100000", uid);
            assertEquals("100000\t100000\t100000\t100000", Containers.procStatus(pid, "Gid"));
            Jbox.host("kill", "-KILL", Long.toString(pid));
            Jbox.Result r = Jbox.finish(p);
            r = new Jbox.Result(r.code(), String.join("\n", lines) + r.out(), r.err());
            assertTrue(lines.get(0).matches("0\\s+100000\\s+65536"), r.all());
            assertTrue(lines.get(1).matches("0\\s+100000\\s+65536"), r.all());
            assertTrue(lines.get(2).startsWith("uid=0(root) gid=0(root)"), r.all());
            assertEquals(137, r.code(), "killed by SIGKILL from the host: 128+9\n" + r.all());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void userNamespaceCanBeTurnedOff() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--userns", "host", Jbox.IMAGE, "cat", "/proc/self/uid_map");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().trim().matches("0\\s+0\\s+4294967295"), r.all());
    }

    @Test
    void mountinfoShowsTheContainersMountsNotTheHosts() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "cat", "/proc/self/mountinfo");
        assertEquals(0, r.code(), r.all());
        List<String> mountPoints = r.out().lines().map(l -> l.split(" ")[4]).toList();
        assertEquals("/", mountPoints.get(0), r.out());
        assertTrue(r.out().lines().findFirst().orElseThrow().contains(" - overlay "), r.out());
        for (String expected : List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/etc/hosts")) {
            assertTrue(mountPoints.contains(expected), expected + " missing in " + mountPoints);
        }
        // Host mount points must not be there: the old root was detached.
        String hostMounts = Files.readString(Path.of("/proc/self/mountinfo"));
        for (String line : hostMounts.lines().toList()) {
            String mp = line.split(" ")[4];
            if (!mp.equals("/") && !mountPoints.contains(mp)) {
                assertFalse(mountPoints.contains(mp), mp);
            }
        }
        assertTrue(mountPoints.size() < 25, "too many mounts: " + mountPoints);
    }

    @Test
    void sysvIpcObjectOfTheHostIsInvisibleInside() throws Exception {
        String key = "0x" + Long.toHexString(0x4a420000L + (System.nanoTime() & 0xffff));
        String probe = Path.of("target/jbox-probe").toAbsolutePath().toString();
        String id = Jbox.host(probe, "shm-create", key).trim();
        assertTrue(id.matches("\\d+"), "probe setup: " + id);
        try {
            assertEquals("visible\n", Jbox.host(probe, "shm", key), "the probe sees the host's segment on the host");
            Jbox.Result inside = Jbox.run("run", "--rm", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "shm", key);
            assertEquals("invisible", inside.out().trim(), inside.all());
            assertEquals(1, inside.code(), inside.all());
        } finally {
            Jbox.host(probe, "shm-remove", id);
        }
    }

    @Test
    void networkNamespaceHasOnlyLoopbackAndItIsUp() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", "ls /sys/class/net; ip -o link show lo");
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals("lo", lines.get(0), r.all());
        assertTrue(lines.get(1).contains("UP") || lines.get(1).contains("UNKNOWN"), r.all());
    }

    @Test
    void writesInsideDoNotChangeTheImage() throws Exception {
        Path rootfs = Jbox.rootfs(Jbox.IMAGE);
        String passwd = Files.readString(rootfs.resolve("etc/passwd"));
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c",
                "echo changed > /etc/passwd && touch /bin/new-file && rm /bin/ls && cat /etc/passwd");
        assertEquals("changed\n", r.out(), r.all());
        assertEquals(passwd, Files.readString(rootfs.resolve("etc/passwd")));
        assertFalse(Files.exists(rootfs.resolve("bin/new-file")));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin/ls")));
        Jbox.Result again = Jbox.run("run", "--rm", Jbox.IMAGE, "cat", "/etc/passwd");
        assertEquals(passwd, again.out(), "a second container sees the image, not the first one's writes");
    }

    @Test
    void devHasTheMinimalDevicesAndTheyWork() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c",
                "ls /dev | tr '\\n' ' '; echo; echo x > /dev/null && head -c 4 /dev/zero | wc -c && readlink /dev/ptmx");
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        for (String d : List.of("null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "mqueue", "fd")) {
            assertTrue((" " + lines.get(0)).contains(" " + d + " "), d + " missing in /dev: " + lines.get(0));
        }
        assertEquals("4", lines.get(1).trim());
        assertEquals("pts/ptmx", lines.get(2));
    }

    @Test
    void sysIsReadOnly() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", "touch /sys/x 2>&1; echo $?");
        assertTrue(r.out().contains("Read-only file system"), r.all());
    }
}
