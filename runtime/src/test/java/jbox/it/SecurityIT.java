package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The defaults and the flags that tighten or loosen them, seen from inside the container. */
class SecurityIT {
    /** podman's 11: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP (docker's 14 without NET_RAW, MKNOD, AUDIT_WRITE). */
    static final String DEFAULT_CAPS = "00000000800405fb";

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    /** Container root is host uid 100000: like any other user it must be able to reach a volume's source. */
    @org.junit.jupiter.api.BeforeEach
    void traversableTemp() throws Exception {
        Files.setAttribute(tmp, "unix:mode", 0755);
    }

    private static String capEff(String... flags) throws Exception {
        String[] args = new String[flags.length + 6];
        args[0] = "run";
        args[1] = "--rm";
        System.arraycopy(flags, 0, args, 2, flags.length);
        args[flags.length + 2] = Jbox.IMAGE;
        args[flags.length + 3] = "grep";
        args[flags.length + 4] = "CapEff";
        args[flags.length + 5] = "/proc/self/status";
        Jbox.Result r = Jbox.run(args);
        assertEquals(0, r.code(), r.all());
        return r.out().trim().replaceFirst("CapEff:\\s+", "");
    }

    @Test
    void capabilitiesArePodmansElevenAndFlagsChangeThem() throws Exception {
        assertEquals(DEFAULT_CAPS, capEff());
        assertEquals(String.format("%016x", 0x800405fbL & ~1L), capEff("--cap-drop", "CHOWN"));
        assertEquals(String.format("%016x", 0x800405fbL | (1L << 21)), capEff("--cap-add", "SYS_ADMIN"));
        long dockers14 = 0x800405fbL | 1L << 13 | 1L << 27 | 1L << 29;
        assertEquals(String.format("%016x", dockers14), capEff("--cap-add", "NET_RAW", "--cap-add", "MKNOD", "--cap-add", "AUDIT_WRITE"));
        assertEquals("0000000000000000", capEff("--cap-drop", "ALL"));
        assertEquals(String.format("%016x", 1L << 10), capEff("--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE"));
        Jbox.Result bounding = Jbox.run("run", "--rm", Jbox.IMAGE, "grep", "CapBnd", "/proc/self/status");
        assertTrue(bounding.out().contains(DEFAULT_CAPS), "the bounding set is dropped too: " + bounding.all());
        Jbox.Result bad = Jbox.run("run", "--rm", "--cap-add", "FLY", Jbox.IMAGE, "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("unknown capability FLY"), bad.all());
    }

    @Test
    void aNonRootUserHasNoEffectiveCapabilities() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "-u", "1000", Jbox.IMAGE, "grep", "-E", "CapEff|CapPrm", "/proc/self/status");
        assertEquals("CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n", r.out(), r.all());
    }

    @Test
    void readOnlyRootWithTmpfsAndUlimits() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--read-only", "--tmpfs", "/scratch", "--ulimit", "nofile=64:128",
                Jbox.IMAGE, "sh", "-c", "touch /x 2>&1; touch /scratch/y && echo scratch-ok; ulimit -n; ulimit -Hn");
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).contains("Read-only file system"), r.all());
        assertEquals(List.of("scratch-ok", "64", "128"), lines.subList(1, 4));
    }

    @Test
    void volumesBindHostPathsReadOnlyOrWritable() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("vol"));
        Files.writeString(dir.resolve("in"), "from-host\n");
        Files.setAttribute(dir, "unix:mode", 0777);
        Jbox.Result ro = Jbox.run("run", "--rm", "-v", dir + ":/data:ro", Jbox.IMAGE, "sh", "-c", "cat /data/in; touch /data/x 2>&1");
        assertTrue(ro.out().startsWith("from-host\n") && ro.out().contains("Read-only file system"), ro.all());
        Jbox.Result rw = Jbox.run("run", "--rm", "-v", dir + ":/data", Jbox.IMAGE, "sh", "-c", "echo out > /data/out");
        assertEquals(0, rw.code(), rw.all());
        assertEquals("out\n", Files.readString(dir.resolve("out")));
        Jbox.Result missing = Jbox.run("run", "--rm", "-v", "/no/such/dir:/data", Jbox.IMAGE, "true");
        assertEquals(125, missing.code());
        assertTrue(missing.err().contains("volume source /no/such/dir does not exist"), missing.all());
    }

    @Test
    void aVolumeTargetThroughAnImageSymlinkStaysInsideTheRoot() throws Exception {
        // An image whose /escape points at the host's /etc: the mount must land in the container's /etc.
        Path rootfs = Jbox.rootfs(Jbox.PROBE_IMAGE);
        Path link = rootfs.resolve("escape");
        if (!Files.isSymbolicLink(link)) {
            Files.createSymbolicLink(link, Path.of("/etc"));
            Files.setAttribute(link, "unix:uid", 100000, LinkOption.NOFOLLOW_LINKS);
        }
        Path dir = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(dir.resolve("marker"), "m\n");
        String target = "jbox-escape-" + Long.toHexString(System.nanoTime());
        Jbox.Result r = Jbox.run("run", "--rm", "-v", dir + ":/escape/" + target, Jbox.PROBE_IMAGE,
                "cat", "/etc/" + target + "/marker");
        assertEquals("m\n", r.out(), r.all());
        assertFalse(Files.exists(Path.of("/etc", target)), "a directory was created on the host's /etc");
    }

    @Test
    void unsupportedSecurityOptionsAreRefused() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--security-opt", "apparmor=x", Jbox.IMAGE, "true");
        assertEquals(125, r.code());
        assertTrue(r.err().contains("unsupported --security-opt apparmor=x"), r.all());
        Jbox.Result missing = Jbox.run("run", "--rm", "--security-opt", "seccomp=/no/profile.json", Jbox.IMAGE, "true");
        assertEquals(125, missing.code());
        assertTrue(missing.err().contains("/no/profile.json"), missing.all());
    }
}
