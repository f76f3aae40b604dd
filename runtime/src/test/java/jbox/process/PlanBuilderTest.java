package jbox.process;

import static jbox.process.MountOptions.MS_BIND;
import static jbox.process.MountOptions.MS_NODEV;
import static jbox.process.MountOptions.MS_NOEXEC;
import static jbox.process.MountOptions.MS_NOSUID;
import static jbox.process.MountOptions.MS_PRIVATE;
import static jbox.process.MountOptions.MS_RDONLY;
import static jbox.process.MountOptions.MS_REC;
import static jbox.process.MountOptions.MS_REMOUNT;
import static jbox.process.MountOptions.MS_SLAVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The order, arguments and descriptions of the steps PlanBuilder derives from a spec. */
class PlanBuilderTest {
    @TempDir
    Path tmp;
    TestSpecs s;

    @BeforeEach
    void setUp() throws IOException {
        s = new TestSpecs(tmp);
    }

    static int index(Plan p, Predicate<Plan.Step> test) {
        for (int i = 0; i < p.steps().size(); i++) {
            if (test.test(p.steps().get(i))) {
                return i;
            }
        }
        return -1;
    }

    static int indexOfWhat(Plan p, String what) {
        int i = index(p, st -> st.what().equals(what));
        assertTrue(i >= 0, "no step \"" + what + "\" in " + whats(p));
        return i;
    }

    static Plan.Step what(Plan p, String what) {
        return p.steps().get(indexOfWhat(p, what));
    }

    static List<String> whats(Plan p) {
        return p.steps().stream().map(Plan.Step::what).toList();
    }

    static List<Plan.Step> ops(Plan p, int op) {
        return p.steps().stream().filter(st -> st.op() == op).toList();
    }

    String in(String containerPath) {
        return s.merged + containerPath;
    }

    @Test
    void userNamespaceStartsWithBecomingItsRootThenTheCgroupNamespaceThenANewSession() throws JboxException {
        Plan p = PlanBuilder.build(s.build());
        assertEquals(Protocol.OP_SETID, p.steps().get(0).op());
        assertEquals(List.of(0L, 0L), p.steps().get(0).args());
        assertEquals(Protocol.OP_UNSHARE, p.steps().get(1).op());
        assertEquals(List.of(PlanBuilder.CLONE_NEWCGROUP), p.steps().get(1).args());
        assertEquals(Protocol.OP_SETSID, p.steps().get(2).op());
    }

    @Test
    void withoutUserNamespaceTheSessionComesFirstAndIdsAreSetOnlyAtTheEnd() throws JboxException {
        s.namespaces.remove("user");
        s.namespaces.remove("cgroup");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(Protocol.OP_SETSID, p.steps().get(0).op());
        assertEquals(1, ops(p, Protocol.OP_SETID).size());
    }

    /** After setns() into it we are an unmapped id there: files made on the mounts would fail (EOVERFLOW, OciCliIT). */
    @Test
    void aJoinedUserNamespaceIsEnteredAsItsRootToo() throws JboxException {
        s.namespaces.remove("user");
        s.namespaces.remove("cgroup");
        ContainerSpec base = s.build();
        List<ContainerSpec.Namespace> ns = new ArrayList<>(base.linux().namespaces());
        ns.add(new ContainerSpec.Namespace("user", "/proc/1/ns/user"));
        ContainerSpec spec = new ContainerSpec(base.ociVersion(), base.process(), base.root(), base.hostname(),
                base.mounts(), new ContainerSpec.Linux(ns, null, null), base.annotations());
        Plan p = PlanBuilder.build(spec);
        assertEquals("become root of the user namespace", p.steps().get(0).what());
        assertEquals(Protocol.OP_SETSID, p.steps().get(1).op());
    }

    @Test
    void setupStepsComeInKernelOrder() throws JboxException {
        s.mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        Plan p = PlanBuilder.build(s.build());
        int setsid = index(p, st -> st.op() == Protocol.OP_SETSID);
        int linkUp = index(p, st -> st.op() == Protocol.OP_LINK_UP);
        int hostname = index(p, st -> st.op() == Protocol.OP_SETHOSTNAME);
        int priv = indexOfWhat(p, "make mount propagation private on /");
        int overlay = indexOfWhat(p, "mount overlay rootfs on " + s.merged);
        int proc = indexOfWhat(p, "mount proc on /proc");
        int pivot = index(p, st -> st.op() == Protocol.OP_PIVOT_ROOT);
        int chdir = index(p, st -> st.op() == Protocol.OP_CHDIR);
        int n = p.steps().size();
        assertTrue(setsid < linkUp && linkUp < hostname && hostname < priv && priv < overlay && overlay < proc && proc < pivot,
                whats(p).toString());
        assertEquals(n - 4, pivot);
        assertEquals(n - 3, chdir);
        assertEquals(Protocol.OP_SETID, p.steps().get(n - 2).op());
        assertEquals(Protocol.OP_EXEC, p.steps().get(n - 1).op());
    }

    @Test
    void hostnameIsSetOnlyInANewUtsNamespace() throws JboxException {
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of("abcdef012345"), what(p, "set hostname abcdef012345").args());
        s.namespaces.remove("uts");
        assertTrue(ops(PlanBuilder.build(s.build()), Protocol.OP_SETHOSTNAME).isEmpty());
    }

    @Test
    void loopbackIsBroughtUpOnlyInANewNetworkNamespace() throws JboxException {
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of("lo"), what(p, "bring up the loopback interface lo").args());
        assertEquals(Protocol.OP_LINK_UP, what(p, "bring up the loopback interface lo").op());
        s.namespaces.remove("network");
        assertTrue(ops(PlanBuilder.build(s.build()), Protocol.OP_LINK_UP).isEmpty());
    }

    @Test
    void rootPropagationIsMadePrivateRecursively() throws JboxException {
        Plan.Step st = what(PlanBuilder.build(s.build()), "make mount propagation private on /");
        assertEquals(Protocol.OP_MOUNT, st.op());
        assertEquals(List.of("", "/", "", MS_REC | MS_PRIVATE, ""), st.args());
    }

    @Test
    void overlayRootUsesTheLayersAndUserxattrInAUserNamespace() throws JboxException {
        Plan.Step st = what(PlanBuilder.build(s.build()), "mount overlay rootfs on " + s.merged);
        assertEquals(List.of("overlay", s.merged.toString(), "overlay", 0L,
                "lowerdir=" + s.image + ",upperdir=" + s.upper + ",workdir=" + s.work + ",userxattr"), st.args());
    }

    @Test
    void overlayRootOfARemovedContainerIsVolatile() throws JboxException {
        s.annotations.put(ContainerSpec.ANNOTATION_VOLATILE, "true");
        Plan.Step st = what(PlanBuilder.build(s.build()), "mount overlay rootfs on " + s.merged);
        assertEquals("lowerdir=" + s.image + ",upperdir=" + s.upper + ",workdir=" + s.work + ",userxattr,volatile",
                st.args().get(4));
    }

    @Test
    void overlayRootWithoutUserNamespaceHasNoUserxattr() throws JboxException {
        s.namespaces.remove("user");
        Plan.Step st = what(PlanBuilder.build(s.build()), "mount overlay rootfs on " + s.merged);
        assertEquals("lowerdir=" + s.image + ",upperdir=" + s.upper + ",workdir=" + s.work, st.args().get(4));
    }

    @Test
    void withoutLayersTheRootIsBindMountedOnItself() throws JboxException {
        s.overlay = false;
        Plan p = PlanBuilder.build(s.build());
        Plan.Step st = what(p, "bind-mount rootfs " + s.image + " on itself");
        assertEquals(List.of(s.image.toString(), s.image.toString(), "", MS_BIND | MS_REC, ""), st.args());
        assertEquals(-1, index(p, x -> x.what().startsWith("mount overlay")));
    }

    @Test
    void aFilesystemMountIsDescribedAndTargetsTheRoot() throws JboxException {
        s.mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        Plan p = PlanBuilder.build(s.build());
        int i = indexOfWhat(p, "mount proc on /proc");
        assertEquals(List.of("proc", in("/proc"), "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, ""), p.steps().get(i).args());
        Plan.Step mkdir = p.steps().get(i - 1);
        assertEquals(Protocol.OP_MKDIR, mkdir.op());
        assertEquals(List.of(in("/proc"), 0755L), mkdir.args());
        assertEquals("create mountpoint /proc", mkdir.what());
    }

    @Test
    void mountDataCarriesTheDriverOptions() throws JboxException {
        s.mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        Plan.Step st = what(PlanBuilder.build(s.build()), "mount tmpfs on /dev");
        assertEquals("mode=755,size=65536k", st.args().get(4));
    }

    @Test
    void everyMissingDirectoryOnTheWayIsCreatedTopDown() throws JboxException {
        s.mount("/a/b/c", "tmpfs", "tmpfs");
        Plan p = PlanBuilder.build(s.build());
        int mount = indexOfWhat(p, "mount tmpfs on /a/b/c");
        List<Object> dirs = p.steps().subList(mount - 3, mount).stream().map(st -> st.args().get(0)).toList();
        assertEquals(List.of(in("/a"), in("/a/b"), in("/a/b/c")), dirs);
    }

    @Test
    void aFileBindSourceGetsAFileMountpoint() throws JboxException, IOException {
        Path hosts = Files.writeString(tmp.resolve("hosts"), "127.0.0.1 localhost\n");
        s.mount("/etc/hosts", "bind", hosts.toString(), "bind");
        Plan p = PlanBuilder.build(s.build());
        int i = indexOfWhat(p, "bind-mount " + hosts + " on /etc/hosts");
        Plan.Step mk = p.steps().get(i - 1);
        assertEquals(Protocol.OP_MKFILE, mk.op());
        assertEquals(List.of(in("/etc/hosts"), 0644L), mk.args());
        assertEquals(Protocol.OP_MKDIR, p.steps().get(i - 2).op());
        assertEquals(in("/etc"), p.steps().get(i - 2).args().get(0));
        assertEquals(List.of(hosts.toString(), in("/etc/hosts"), "", MS_BIND, ""), p.steps().get(i).args());
    }

    @Test
    void aDirectoryBindSourceGetsADirectoryMountpoint() throws JboxException, IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        s.mount("/data", "bind", data.toString(), "rbind");
        Plan p = PlanBuilder.build(s.build());
        int i = indexOfWhat(p, "bind-mount " + data + " on /data");
        assertEquals(Protocol.OP_MKDIR, p.steps().get(i - 1).op());
        assertEquals(MS_BIND | MS_REC, p.steps().get(i).args().get(3));
    }

    @Test
    void aReadOnlyBindIsFollowedByARemount() throws JboxException, IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        s.mount("/data", "bind", data.toString(), "rbind", "ro", "nosuid");
        Plan p = PlanBuilder.build(s.build());
        int bind = indexOfWhat(p, "bind-mount " + data + " on /data");
        assertEquals(MS_BIND | MS_REC, p.steps().get(bind).args().get(3), "the bind itself ignores ro: keep it out");
        Plan.Step remount = p.steps().get(bind + 1);
        assertEquals("remount /data rbind,ro,nosuid", remount.what());
        assertEquals(List.of("", in("/data"), "", MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, ""), remount.args());
    }

    @Test
    void aReadOnlyRecursiveBindIsMadeReadOnlyAllTheWayDown() throws JboxException, IOException {
        // The remount changes the top mount only: mounts below the source came along writable.
        Path data = Files.createDirectories(tmp.resolve("data"));
        s.mount("/data", "bind", data.toString(), "rbind", "ro", "nosuid", "nodev");
        Plan p = PlanBuilder.build(s.build());
        int remount = indexOfWhat(p, "remount /data rbind,ro,nosuid,nodev");
        Plan.Step setattr = p.steps().get(remount + 1);
        assertEquals("make /data read-only recursively", setattr.what());
        assertEquals(Protocol.OP_MOUNT_SETATTR, setattr.op());
        assertEquals(List.of(in("/data"), MountOptions.AT_RECURSIVE,
                MountOptions.MOUNT_ATTR_RDONLY | MountOptions.MOUNT_ATTR_NOSUID | MountOptions.MOUNT_ATTR_NODEV, 0L),
                setattr.args());
    }

    @Test
    void aWritableBindAndANonRecursiveOneGetNoRecursiveSetattr() throws JboxException, IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        s.mount("/rw", "bind", data.toString(), "rbind", "nosuid");
        s.mount("/flat", "bind", data.toString(), "bind", "ro");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of(), ops(p, Protocol.OP_MOUNT_SETATTR), whats(p).toString());
    }

    @Test
    void readonlyPathsAreReadOnlyRecursivelyAndOptional() throws JboxException {
        s.readonlyPaths = List.of("/proc/sys");
        Plan p = PlanBuilder.build(s.build());
        Plan.Step st = what(p, "make /proc/sys read-only recursively");
        assertEquals(Protocol.OP_MOUNT_SETATTR | Protocol.OPTIONAL_STEP, st.op());
        assertEquals(indexOfWhat(p, "remount /proc/sys read-only") + 1, indexOfWhat(p, "make /proc/sys read-only recursively"));
        assertEquals(MountOptions.mountAttrs(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), st.args().get(2));
    }

    @Test
    void aPlainBindHasNoRemount() throws JboxException, IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        s.mount("/data", "bind", data.toString(), "bind");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(-1, index(p, st -> st.what().startsWith("remount")), whats(p).toString());
    }

    @Test
    void aMissingBindSourceIsAnErrorNamingIt() {
        Path missing = tmp.resolve("no-such-dir");
        s.mount("/data", "bind", missing.toString(), "rbind", "ro");
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(s.build()));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertEquals(JboxException.FAILED, e.exitCode());
    }

    @Test
    void propagationOptionsBecomeTheirOwnStep() throws JboxException, IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        s.mount("/data", "bind", data.toString(), "rbind", "rslave");
        Plan p = PlanBuilder.build(s.build());
        Plan.Step st = what(p, "set propagation of /data");
        assertEquals(List.of("", in("/data"), "", MS_SLAVE | MS_REC, ""), st.args());
        assertEquals(indexOfWhat(p, "bind-mount " + data + " on /data") + 1, indexOfWhat(p, "set propagation of /data"));
    }

    @Test
    void devicesAreBoundAfterEveryMountOnceDevIsATmpfs() throws JboxException {
        s.mount("/dev", "tmpfs", "tmpfs", "nosuid", "mode=755");
        s.mount("/dev/pts", "devpts", "devpts", "newinstance");
        s.mount("/dev/shm", "tmpfs", "shm", "mode=1777");
        Plan p = PlanBuilder.build(s.build());
        int lastMount = indexOfWhat(p, "mount tmpfs on /dev/shm");
        int pivot = index(p, st -> st.op() == Protocol.OP_PIVOT_ROOT);
        for (String d : List.of("null", "zero", "full", "random", "urandom", "tty")) {
            int mk = indexOfWhat(p, "create /dev/" + d);
            int bind = indexOfWhat(p, "bind-mount /dev/" + d + " on /dev/" + d);
            assertTrue(lastMount < mk && mk < bind && bind < pivot, d + ": " + whats(p));
            assertEquals(List.of(in("/dev/" + d), 0666L), p.steps().get(mk).args());
            assertEquals(List.of("/dev/" + d, in("/dev/" + d), "", MS_BIND, ""), p.steps().get(bind).args());
        }
        assertEquals(List.of("pts/ptmx", in("/dev/ptmx")), what(p, "symlink /dev/ptmx -> pts/ptmx").args());
        assertEquals(List.of("/proc/self/fd", in("/dev/fd")), what(p, "symlink /dev/fd -> /proc/self/fd").args());
        assertEquals(List.of("/proc/self/fd/0", in("/dev/stdin")), what(p, "symlink /dev/stdin -> /proc/self/fd/0").args());
        assertEquals(List.of("/proc/self/fd/1", in("/dev/stdout")), what(p, "symlink /dev/stdout -> /proc/self/fd/1").args());
        assertEquals(List.of("/proc/self/fd/2", in("/dev/stderr")), what(p, "symlink /dev/stderr -> /proc/self/fd/2").args());
    }

    @Test
    void nestedMountsUnderTheDevTmpfsAreNotResolvedInTheImage() throws JboxException, IOException {
        // The image's /dev/pts is hidden by the tmpfs: a symlink there must not redirect the mount.
        Files.createDirectories(s.image.resolve("dev"));
        Files.createSymbolicLink(s.image.resolve("dev/pts"), Path.of("/elsewhere"));
        s.mount("/dev", "tmpfs", "tmpfs");
        s.mount("/dev/pts", "devpts", "devpts");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(in("/dev/pts"), what(p, "mount devpts on /dev/pts").args().get(1));
    }

    @Test
    void withoutADevTmpfsNoDevicesAreAdded() throws JboxException {
        s.mount("/proc", "proc", "proc");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(-1, index(p, st -> st.what().contains("/dev/null")), whats(p).toString());
        assertTrue(ops(p, Protocol.OP_SYMLINK).isEmpty());
    }

    @Test
    void theTailPivotsChdirsSwitchesUserAndExecs() throws JboxException {
        s.user = new ContainerSpec.User(1000, 1001, List.of(5L, 20L));
        s.cwd = "/work";
        s.args = List.of("sh", "-c", "id");
        s.env = List.of("PATH=/bin", "HOME=/root");
        Plan p = PlanBuilder.build(s.build());
        int n = p.steps().size();
        Plan.Step pivot = p.steps().get(n - 5);
        assertEquals(List.of(s.merged.toString()), pivot.args());
        assertEquals("pivot_root into " + s.merged, pivot.what());
        Plan.Step mkdir = p.steps().get(n - 4);
        assertEquals(List.of("/work", 0755L, 1000L, 1001L), mkdir.args(), "the image has no /work: made, for the user");
        assertEquals("create working directory /work", mkdir.what());
        Plan.Step chdir = p.steps().get(n - 3);
        assertEquals(List.of("/work"), chdir.args());
        assertEquals("chdir to working directory /work", chdir.what());
        Plan.Step setid = p.steps().get(n - 2);
        assertEquals(List.of(1001L, 1000L, 5L, 20L), setid.args(), "gid, uid, then supplementary gids");
        assertEquals("switch to user 1000:1001", setid.what());
        Plan.Step exec = p.steps().get(n - 1);
        assertEquals(List.of(3L, "sh", "-c", "id", "PATH=/bin", "HOME=/root"), exec.args());
        assertEquals("exec sh", exec.what());
    }

    @Test
    void aWorkingDirectoryTheImageHasIsNotMadeAndOnlyTheMissingTailIs() throws Exception {
        java.nio.file.Files.createDirectories(s.image.resolve("srv"));
        java.nio.file.Files.createSymbolicLink(s.image.resolve("app"), java.nio.file.Path.of("/srv"));
        s.user = new ContainerSpec.User(33, 33, null);
        s.cwd = "/srv";
        assertTrue(PlanBuilder.build(s.build()).steps().stream().noneMatch(st -> st.op() == Protocol.OP_MKDIR
                && st.what().startsWith("create working directory")));
        s.cwd = "/app/www/data"; // through the image's link, resolved inside the image: /srv exists, the rest is made
        List<List<Object>> made = PlanBuilder.build(s.build()).steps().stream()
                .filter(st -> st.what().startsWith("create working directory")).map(Plan.Step::args).toList();
        assertEquals(List.of(List.of("/srv/www", 0755L, 33L, 33L), List.of("/srv/www/data", 0755L, 33L, 33L)), made);
    }

    @Test
    void theBuiltInInitComesRightBeforeExecWhenAsked() throws JboxException {
        List<Plan.Step> without = PlanBuilder.build(s.build()).steps();
        assertTrue(without.stream().noneMatch(st -> st.op() == Protocol.OP_INIT));
        s.annotations.put(ContainerSpec.ANNOTATION_INIT, "true");
        List<Plan.Step> steps = PlanBuilder.build(s.build()).steps();
        assertEquals(Protocol.OP_INIT, steps.get(steps.size() - 2).op());
        assertEquals(Protocol.OP_EXEC, steps.get(steps.size() - 1).op());
    }

    @Test
    void noWorkingDirectoryMeansRoot() throws JboxException {
        s.cwd = null;
        Plan p = PlanBuilder.build(s.build());
        assertEquals(List.of("/"), ops(p, Protocol.OP_CHDIR).get(0).args());
    }

    @Test
    void noSupplementaryGidsMeansJustGidAndUid() throws JboxException {
        s.user = new ContainerSpec.User(7, 8, null);
        Plan p = PlanBuilder.build(s.build());
        List<Plan.Step> setids = ops(p, Protocol.OP_SETID);
        assertEquals(List.of(8L, 7L), setids.get(setids.size() - 1).args());
    }

    @Test
    void everyStepHasTheArgumentShapeTheShimExpects() throws JboxException, IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path hosts = Files.writeString(tmp.resolve("hosts"), "");
        s.mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        s.mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        s.mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        s.mount("/data", "bind", data.toString(), "rbind", "ro", "rprivate");
        s.mount("/etc/hosts", "bind", hosts.toString(), "bind");
        s.user = new ContainerSpec.User(1, 2, List.of(3L));
        s.args = List.of("sh", "-c", "true");
        Plan p = PlanBuilder.build(s.build());
        List<PlanDecoder.Step> decoded = PlanDecoder.decode(p.encode());
        assertEquals(p.steps().size(), decoded.size());
        for (PlanDecoder.Step d : decoded) {
            String shape = switch (d.op()) {
                case Protocol.OP_SETID -> "uu" + "u".repeat(d.args().size() - 2);
                case Protocol.OP_SETSID, Protocol.OP_NO_NEW_PRIVS -> "";
                case Protocol.OP_UNSHARE, Protocol.OP_CAP_BOUNDING -> "u";
                case Protocol.OP_CAPS -> "uuuu";
                case Protocol.OP_SETRLIMIT -> "uuu";
                case Protocol.OP_SETHOSTNAME, Protocol.OP_PIVOT_ROOT, Protocol.OP_CHDIR, Protocol.OP_LINK_UP -> "s";
                case Protocol.OP_MOUNT -> "sssus";
                case Protocol.OP_MKDIR -> d.args().size() == 4 ? "suuu" : "su";
                case Protocol.OP_MKFILE -> "su";
                case Protocol.OP_SYMLINK -> "ss";
                case Protocol.OP_MOUNT_SETATTR -> "suuu";
                case Protocol.OP_EXEC -> "u" + "s".repeat(d.args().size() - 1);
                default -> throw new AssertionError("unexpected op " + d.op());
            };
            assertEquals(shape.length(), d.args().size(), "argc of op " + d.op());
            for (int i = 0; i < shape.length(); i++) {
                if (shape.charAt(i) == 'u') {
                    d.u64(i);
                } else {
                    d.string(i);
                }
            }
            if (d.op() == Protocol.OP_EXEC) {
                long argc = d.u64(0);
                assertTrue(argc > 0 && argc <= d.args().size() - 1, "exec argc " + argc);
            }
        }
        assertEquals(Protocol.OP_EXEC, decoded.get(decoded.size() - 1).op(), "a plan must end in OP_EXEC");
    }
}
