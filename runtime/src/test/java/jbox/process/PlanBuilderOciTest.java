package jbox.process;

import static jbox.process.MountOptions.MS_BIND;
import static jbox.process.MountOptions.MS_NODEV;
import static jbox.process.MountOptions.MS_NOEXEC;
import static jbox.process.MountOptions.MS_NOSUID;
import static jbox.process.MountOptions.MS_PRIVATE;
import static jbox.process.MountOptions.MS_RDONLY;
import static jbox.process.MountOptions.MS_REC;
import static jbox.process.MountOptions.MS_REMOUNT;
import static jbox.process.MountOptions.MS_SHARED;
import static jbox.process.MountOptions.MS_SLAVE;
import static jbox.process.PlanBuilderTest.indexOfWhat;
import static jbox.process.PlanBuilderTest.what;
import static jbox.process.PlanBuilderTest.whats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What OCI configs (podman's) bring to a plan: sysctls, root propagation, bind and cgroup mounts, tmpcopyup. */
class PlanBuilderOciTest {
    @TempDir
    Path tmp;
    TestSpecs s;

    @BeforeEach
    void setUp() throws IOException {
        s = new TestSpecs(tmp);
    }

    static ContainerSpec withLinux(ContainerSpec spec, String propagation, Map<String, String> sysctl,
            List<ContainerSpec.IdMapping> maps) {
        ContainerSpec.Linux l = spec.linux();
        return new ContainerSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(), spec.mounts(),
                new ContainerSpec.Linux(l.namespaces(), maps, maps, null, null, null, List.of("/proc/kcore"),
                        List.of("/proc/sys"), propagation, sysctl), spec.annotations(), spec.hooks());
    }

    @Test
    void sysctlsAreWrittenAfterPivotRootBeforeProcSysIsMadeReadOnly() throws JboxException {
        s.mount("/proc", "proc", "proc");
        Plan p = PlanBuilder.build(withLinux(s.build(), null, Map.of("net.ipv4.ip_forward", "1"), null));
        Plan.Step write = what(p, "set sysctl net.ipv4.ip_forward=1");
        assertEquals(Protocol.OP_WRITE, write.op());
        assertEquals(List.of("/proc/sys/net/ipv4/ip_forward", "1"), write.args());
        int at = indexOfWhat(p, "set sysctl net.ipv4.ip_forward=1");
        assertTrue(indexOfWhat(p, "pivot_root into " + s.merged) < at);
        assertTrue(at < indexOfWhat(p, "remount /proc/sys read-only"));
    }

    @Test
    void rootfsPropagationReplacesPrivateAtTheStartAndIsReappliedAfterPivotRoot() throws JboxException {
        Plan p = PlanBuilder.build(withLinux(s.build(), "rslave", null, null));
        assertEquals(List.of("", "/", "", MS_SLAVE | MS_REC, ""), what(p, "make mount propagation rslave on /").args());
        int again = indexOfWhat(p, "make mount propagation rslave on the new /");
        assertTrue(again > indexOfWhat(p, "pivot_root into " + s.merged));
        assertFalse(whats(p).contains("make mount propagation private on /"));
    }

    @Test
    void withoutRootfsPropagationTheRootStaysRecursivelyPrivate() throws JboxException {
        Plan p = PlanBuilder.build(s.build());
        assertEquals(MS_PRIVATE | MS_REC, what(p, "make mount propagation private on /").args().get(3));
        assertFalse(whats(p).stream().anyMatch(w -> w.endsWith("on the new /")));
    }

    @Test
    void sharedRootPropagationMakesTheRootPrivateForPivotRoot() throws JboxException {
        Plan p = PlanBuilder.build(withLinux(s.build(), "rshared", null, null));
        assertEquals(MS_SHARED | MS_REC, what(p, "make mount propagation rshared on /").args().get(3));
        int priv = indexOfWhat(p, "make the rootfs private for pivot_root");
        assertEquals(List.of("", s.merged.toString(), "", MS_PRIVATE, ""), p.steps().get(priv).args());
        assertTrue(indexOfWhat(p, "make / private for pivot_root") < indexOfWhat(p, "pivot_root into " + s.merged));
        assertTrue(priv > indexOfWhat(p, "mount overlay rootfs on " + s.merged));
    }

    @Test
    void typeBindIsABindMountAndItsFlagsAreApplied() throws JboxException, IOException {
        Path src = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 localhost\n");
        s.mount("/etc/hosts", "bind", src.toString(), "rprivate", "ro", "nosuid");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of(src.toString(), s.merged + "/etc/hosts", "", MS_BIND, ""),
                what(p, "bind-mount " + src + " on /etc/hosts").args());
        assertEquals(MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, what(p, "remount /etc/hosts rprivate,ro,nosuid").args().get(3));
        assertEquals(MS_PRIVATE | MS_REC, what(p, "set propagation of /etc/hosts").args().get(3));
    }

    @Test
    void typeBindWithoutABindOptionStillBinds() throws JboxException, IOException {
        Path src = Files.createDirectories(tmp.resolve("data"));
        s.mount("/data", "bind", src.toString());
        assertEquals(MS_BIND, what(PlanBuilder.build(s.build()), "bind-mount " + src + " on /data").args().get(3));
    }

    @Test
    void unknownMountOptionsNameTheOptionAndTheMount() {
        s.mount("/tmp", "tmpfs", "tmpfs", "nosiud");
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(s.build()));
        assertEquals("mount on /tmp: unknown mount option nosiud (not a mount flag, a propagation or key=value)", e.getMessage());
        s.mounts.clear();
        s.mount("/tmp", "tmpfs", "tmpfs", "rro");
        assertEquals("mount on /tmp: mount option rro is not supported by jbox",
                assertThrows(JboxException.class, () -> PlanBuilder.build(s.build())).getMessage());
    }

    @Test
    void tmpcopyupOfAMissingOrEmptyDirectoryIsAPlainTmpfs() throws JboxException, IOException {
        Files.createDirectories(s.image.resolve("run"));
        s.mount("/run", "tmpfs", "tmpfs", "nosuid", "tmpcopyup");
        s.mount("/var/tmp", "tmpfs", "tmpfs", "tmpcopyup");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of("tmpfs", s.merged + "/run", "tmpfs", MS_NOSUID, ""), what(p, "mount tmpfs on /run").args());
        assertFalse(whats(p).stream().anyMatch(w -> w.contains("from the image") || w.contains("umask")), whats(p).toString());
    }

    @Test
    void tmpcopyupCopiesTheImagesDirectoriesLinksAndFilesWithTheirModes() throws JboxException, IOException {
        Path run = Files.createDirectories(s.image.resolve("run"));
        Files.createDirectories(run.resolve("lock"));
        Files.setPosixFilePermissions(run.resolve("lock"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(run.resolve("motd"), "hello\n");
        Files.createSymbolicLink(run.resolve("shm"), Path.of("/dev/shm"));
        s.mount("/run", "tmpfs", "tmpfs", "tmpcopyup");
        long uid = (Integer) Files.getAttribute(run, "unix:uid");
        Plan p = PlanBuilder.build(withLinux(s.build(), null, null, List.of(new ContainerSpec.IdMapping(0, uid, 1))));
        String target = s.merged + "/run";
        int mount = indexOfWhat(p, "mount tmpfs on /run");
        assertEquals(List.of(0L), p.steps().get(mount + 1).args(), "umask 0 right after the mount: " + whats(p));
        assertEquals(List.of(target + "/lock", 0777L), what(p, "copy directory /run/lock from the image").args());
        assertEquals(List.of("/dev/shm", target + "/shm"), what(p, "copy symlink /run/shm from the image").args());
        assertEquals(target + "/motd", what(p, "copy file /run/motd from the image").args().get(0));
        byte[] written = (byte[]) what(p, "write /run/motd from the image").args().get(1);
        assertEquals("hello\n\0", new String(written, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(List.of(022L), what(p, "restore umask 022 after copying /run").args());
    }

    @Test
    void tmpcopyupRefusesWhatStepsCannotReproduce() throws IOException {
        Path run = Files.createDirectories(s.image.resolve("run"));
        Files.write(run.resolve("bin"), new byte[] {1, 0, 2});
        s.mount("/run", "tmpfs", "tmpfs", "tmpcopyup");
        long uid = (Integer) Files.getAttribute(run, "unix:uid");
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(
                withLinux(s.build(), null, null, List.of(new ContainerSpec.IdMapping(0, uid, 1)))));
        assertTrue(e.getMessage().startsWith("tmpcopyup on /run: " + run.resolve("bin") + " is a binary file"), e.getMessage());
        e = assertThrows(JboxException.class, () -> PlanBuilder.build(
                withLinux(s.build(), null, null, List.of(new ContainerSpec.IdMapping(0, uid + 1, 1)))));
        assertTrue(e.getMessage().contains("is owned by " + uid + ":"), e.getMessage());
    }

    /** A fake v1 host: cpu,cpuacct co-mounted (with the usual symlinks), memory and pids. */
    CgroupHost v1Host() throws IOException, JboxException {
        Path root = Files.createDirectories(tmp.resolve("cgroupfs"));
        for (String h : List.of("cpu,cpuacct", "memory", "pids")) {
            Files.createDirectories(root.resolve(h));
            Files.writeString(root.resolve(h).resolve("cgroup.procs"), "");
        }
        Files.createSymbolicLink(root.resolve("cpu"), Path.of("cpu,cpuacct"));
        Files.createSymbolicLink(root.resolve("cpuacct"), Path.of("cpu,cpuacct"));
        return CgroupHost.detect(root);
    }

    static final long CGROUP_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC;

    @Test
    void aCgroupMountOnV1IsATmpfsWithEachHierarchyAndTheCoMountLinks() throws Exception {
        s.namespaces.remove("user");
        s.mount("/sys/fs/cgroup", "cgroup", "cgroup", "rprivate", "nosuid", "noexec", "nodev", "relatime", "ro");
        Plan p = PlanBuilder.build(s.build(), new PlanBuilder.Options(true, false, null, v1Host()));
        String t = s.merged + "/sys/fs/cgroup";
        assertEquals(List.of("tmpfs", t, "tmpfs", CGROUP_FLAGS | MountOptions.MS_RELATIME, "mode=755"),
                what(p, "mount tmpfs for cgroup v1 on /sys/fs/cgroup").args());
        assertEquals(List.of("cgroup", t + "/cpu,cpuacct", "cgroup", CGROUP_FLAGS | MountOptions.MS_RELATIME | MS_RDONLY, "cpu,cpuacct"),
                what(p, "mount cgroup v1 cpu,cpuacct on /sys/fs/cgroup/cpu,cpuacct").args());
        assertEquals("memory", what(p, "mount cgroup v1 memory on /sys/fs/cgroup/memory").args().get(4));
        assertEquals(List.of("cpu,cpuacct", t + "/cpu"), what(p, "symlink /sys/fs/cgroup/cpu -> cpu,cpuacct").args());
        assertEquals(List.of("cpu,cpuacct", t + "/cpuacct"), what(p, "symlink /sys/fs/cgroup/cpuacct -> cpu,cpuacct").args());
        int remount = indexOfWhat(p, "remount the cgroup tmpfs on /sys/fs/cgroup read-only");
        assertTrue(remount > indexOfWhat(p, "mount cgroup v1 pids on /sys/fs/cgroup/pids"));
        assertEquals(MS_REMOUNT | CGROUP_FLAGS | MountOptions.MS_RELATIME | MS_RDONLY, p.steps().get(remount).args().get(3));
    }

    /** podman on v1 shares the host's cgroup namespace: a cgroup mount would show the host's whole tree. */
    @Test
    void withoutACgroupNamespaceEachV1HierarchyIsTheContainersOwnCgroupBound() throws Exception {
        s.namespaces.remove("user");
        s.namespaces.remove("cgroup");
        s.mount("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "ro");
        Path own = tmp.resolve("cgroupfs/memory/pod/c1");
        Plan p = PlanBuilder.build(s.build(), new PlanBuilder.Options(false, true, null, v1Host())
                .withOwnCgroup(Map.of("memory", own, "cpu,cpuacct", tmp.resolve("cgroupfs/cpu,cpuacct/pod/c1"))));
        String t = s.merged + "/sys/fs/cgroup";
        assertEquals(List.of(own.toString(), t + "/memory", "", MS_BIND, ""),
                what(p, "bind-mount the container's cgroup " + own + " on /sys/fs/cgroup/memory").args());
        int bound = indexOfWhat(p, "bind-mount the container's cgroup " + own + " on /sys/fs/cgroup/memory");
        assertEquals(List.of("", t + "/memory", "", MS_REMOUNT | MS_BIND | CGROUP_FLAGS | MS_RDONLY, ""),
                p.steps().get(bound + 1).args(), "read-only as the mount asks");
        indexOfWhat(p, "bind-mount the container's cgroup " + tmp.resolve("cgroupfs/cpu,cpuacct/pod/c1") + " on /sys/fs/cgroup/cpu,cpuacct");
        assertFalse(whats(p).stream().anyMatch(w -> w.startsWith("mount cgroup v1")), "never the host's root: " + whats(p));
        assertTrue(indexOfWhat(p, "create mountpoint /sys/fs/cgroup/pids") > 0, "a hierarchy the container has no directory"
                + " in stays an empty directory");
    }

    @Test
    void withACgroupNamespaceTheHierarchiesAreMountedNotBound() throws Exception {
        s.namespaces.remove("user");
        s.mount("/sys/fs/cgroup", "cgroup", "cgroup", "ro");
        Plan p = PlanBuilder.build(s.build(), new PlanBuilder.Options(false, true, null, v1Host())
                .withOwnCgroup(Map.of("memory", tmp.resolve("cgroupfs/memory/pod/c1"))));
        indexOfWhat(p, "mount cgroup v1 memory on /sys/fs/cgroup/memory");
        assertFalse(whats(p).stream().anyMatch(w -> w.startsWith("bind-mount the container's cgroup")), whats(p).toString());
    }

    @Test
    void inAUserNamespaceTheV1CgroupTmpfsStaysEmpty() throws Exception {
        s.mount("/sys/fs/cgroup", "cgroup", "cgroup", "ro");
        Plan p = PlanBuilder.build(s.build(), new PlanBuilder.Options(true, false, null, v1Host()));
        assertFalse(whats(p).stream().anyMatch(w -> w.startsWith("mount cgroup v1")), whats(p).toString());
        indexOfWhat(p, "remount the cgroup tmpfs on /sys/fs/cgroup read-only");
    }

    @Test
    void aCgroupMountOnV2IsCgroup2() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("unified"));
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        s.mount("/sys/fs/cgroup", "cgroup", "cgroup", "ro");
        Plan p = PlanBuilder.build(s.build(), new PlanBuilder.Options(true, false, null, CgroupHost.detect(root)));
        assertEquals(List.of("cgroup2", s.merged + "/sys/fs/cgroup", "cgroup2", CGROUP_FLAGS | MS_RDONLY, ""),
                what(p, "mount cgroup2 on /sys/fs/cgroup").args());
    }
}
