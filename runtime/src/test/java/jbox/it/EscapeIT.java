package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The escape battery: attempts from inside a default container, each refused with the errno we
 * expect, and the host checked unchanged afterwards. The probe makes raw syscalls busybox cannot.
 */
class EscapeIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    /** Attempt → the errnos that count as refused (several where kernels differ). */
    static final Map<String, Set<String>> REFUSED = new LinkedHashMap<>();

    static {
        REFUSED.put("mount", Set.of("EPERM"));
        REFUSED.put("umount", Set.of("EPERM"));
        REFUSED.put("pivot_root", Set.of("EPERM"));
        REFUSED.put("unshare-user", Set.of("EPERM"));
        REFUSED.put("unshare-mount", Set.of("EPERM"));
        REFUSED.put("clone-user", Set.of("EPERM"));
        REFUSED.put("reboot", Set.of("EPERM"));
        REFUSED.put("kexec_load", Set.of("EPERM"));
        REFUSED.put("init_module", Set.of("EPERM"));
        REFUSED.put("finit_module", Set.of("EPERM"));
        REFUSED.put("swapon", Set.of("EPERM"));
        REFUSED.put("settimeofday", Set.of("EPERM"));
        REFUSED.put("sethostname", Set.of("EPERM"));
        REFUSED.put("ptrace", Set.of("EPERM"));
        REFUSED.put("keyctl", Set.of("EPERM"));
        REFUSED.put("bpf", Set.of("EPERM"));
        REFUSED.put("perf_event_open", Set.of("EPERM"));
        REFUSED.put("open_by_handle_at", Set.of("EPERM"));
        REFUSED.put("mknod-block", Set.of("EPERM"));
        // Absent on some kernels (this CI VM has no sysrq or kcore); where present it is protected.
        REFUSED.put("sysrq-trigger", Set.of("EROFS", "ENOENT"));
        REFUSED.put("kcore", Set.of("ENOENT", "ENODATA"));
        REFUSED.put("proc-sys-write", Set.of("EROFS"));
        REFUSED.put("sys-write", Set.of("EROFS"));
        // CVE-2019-5736: the running binary cannot be opened for writing.
        REFUSED.put("exe-write", Set.of("ETXTBSY", "EACCES"));
        REFUSED.put("init-exe-write", Set.of("ETXTBSY", "EACCES"));
    }

    @Test
    void everyAttemptIsRefusedWithTheExpectedErrno() throws Exception {
        String hostname = Jbox.host("hostname").trim();
        String clock = Jbox.host("date", "+%Y");
        String[] attempts = REFUSED.keySet().toArray(new String[0]);
        String[] cmd = new String[5 + attempts.length];
        System.arraycopy(new String[] {"run", "--rm", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "try"}, 0, cmd, 0, 5);
        System.arraycopy(attempts, 0, cmd, 5, attempts.length);
        Jbox.Result r = Jbox.run(cmd);
        assertEquals(0, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals(REFUSED.size(), lines.size(), r.all());
        for (String line : lines) {
            String[] f = line.split(" ");
            assertTrue(REFUSED.get(f[0]).contains(f[1]), f[0] + " was not refused as expected: " + f[1]);
        }
        assertEquals(hostname, Jbox.host("hostname").trim(), "the host's hostname changed");
        assertEquals(clock, Jbox.host("date", "+%Y"));
    }

    @Test
    void rawSocketsNeedNetRawWhichIsNotADefaultButPingSocketsWork() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "try", "raw-socket", "ping-socket");
        assertEquals("raw-socket EPERM\nping-socket ok\n", r.out(), r.all());
        Jbox.Result added = Jbox.run("run", "--rm", "--cap-add", "NET_RAW", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "try", "raw-socket");
        assertEquals("raw-socket ok\n", added.out(), added.all());
        // ping_group_range is set only in a network namespace of the container's own.
        Jbox.Result host = Jbox.run("run", "--rm", "--net", "host", "--userns", "host", Jbox.PROBE_IMAGE, "cat", "/proc/sys/net/ipv4/ping_group_range");
        assertEquals(Jbox.host("cat", "/proc/sys/net/ipv4/ping_group_range"), host.out(), host.all());
    }

    @Test
    void noHostDescriptorLeaksIntoTheContainer() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.PROBE_IMAGE, "/bin/jbox-probe", "fds");
        // 0, 1, 2 and the probe's own directory handle: nothing inherited from jbox or the shim
        assertEquals(List.of("0", "1", "2", "3"), r.out().lines().sorted().toList(), r.all());
    }

    @Test
    void theWorkingDirectoryIsInsideTheContainersRoot() throws Exception {
        // CVE-2024-21626: a cwd left pointing at a host directory would let ../.. reach the host.
        Jbox.Result r = Jbox.run("run", "--rm", "-w", "/tmp", Jbox.IMAGE, "sh", "-c",
                "readlink /proc/self/cwd; ls /proc/self/cwd/../../.. | tr '\\n' ' '");
        List<String> lines = r.out().lines().toList();
        assertEquals("/tmp", lines.get(0), r.all());
        assertTrue(lines.get(1).contains("bin") && !lines.get(1).contains("work") && !lines.get(1).contains("boot"),
                "the root seen through cwd is the image's: " + lines.get(1));
    }

    @Test
    void theHostsRootIsNotReachableThroughProc() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--hostname", "in-box", Jbox.IMAGE, "sh", "-c",
                "cat /proc/1/root/etc/hostname; ls /proc | grep -c '^[0-9]'");
        List<String> lines = r.out().lines().toList();
        assertEquals("in-box", lines.get(0), "/proc/1 is the container's own init: " + r.all());
        assertTrue(Integer.parseInt(lines.get(1)) <= 3, "host processes visible: " + r.all());
    }

    @Test
    void theShimBinaryCannotBeReachedOrChanged() throws Exception {
        Path shim = Jbox.LAUNCHER.resolveSibling("jbox-shim");
        String before = sha256(shim);
        Jbox.Result r = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c",
                "for p in /proc/[0-9]*; do readlink $p/exe; done; echo x > /proc/1/exe; echo rc=$?");
        assertFalse(r.out().contains("jbox-shim"), "the shim is visible inside: " + r.all());
        assertTrue(r.out().contains("rc=1") || r.err().contains("Text file busy") || r.err().contains("Permission denied"), r.all());
        assertEquals(before, sha256(shim));
    }

    @Test
    void noNewPrivilegesKeepsASetuidBinaryFromGainingRoot() throws Exception {
        // busybox picks its applet by name: a setuid-root copy named "id", first in PATH
        Path suid = Jbox.rootfs(Jbox.PROBE_IMAGE).resolve("usr/local/bin/id");
        if (!Files.exists(suid)) {
            Files.createDirectories(suid.getParent());
            Files.copy(Path.of("/bin/busybox"), suid);
            Files.setAttribute(suid, "unix:uid", 100000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(suid, "unix:gid", 100000, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(suid, "unix:mode", 04755, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
        Jbox.Result r = Jbox.run("run", "--rm", "-u", "1000", Jbox.PROBE_IMAGE, "id", "-u");
        assertEquals("1000\n", r.out(), "setuid-root took effect despite no_new_privs: " + r.all());
        Jbox.Result status = Jbox.run("run", "--rm", "-u", "1000", Jbox.PROBE_IMAGE, "grep", "NoNewPrivs", "/proc/self/status");
        assertTrue(status.out().matches("NoNewPrivs:\\s+1\\n"), status.all());
    }

    @Test
    void seccompUnconfinedLiftsTheFilterSoTheTestCanFail() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--security-opt", "seccomp=unconfined", Jbox.PROBE_IMAGE,
                "/bin/jbox-probe", "try", "keyctl");
        assertEquals("keyctl ok\n", r.out(), "without the filter keyctl works, so EPERM above is the filter's: " + r.all());
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
