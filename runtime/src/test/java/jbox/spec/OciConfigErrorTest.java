package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rejected config.json names its field and why, in one line. */
class OciConfigErrorTest {
    @TempDir
    Path dir;

    String error(Consumer<ObjectNode> change) {
        ObjectNode c = OciBundle.minimal();
        change.accept(c);
        JboxException e = assertThrows(JboxException.class, () -> new OciBundle(dir).read(c));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        return e.getMessage();
    }

    String error(String json) {
        JboxException e = assertThrows(JboxException.class, () -> new OciBundle(dir).read(json));
        return e.getMessage();
    }

    static ObjectNode process(ObjectNode c) {
        return (ObjectNode) c.get("process");
    }

    static ObjectNode linux(ObjectNode c) {
        return (ObjectNode) c.get("linux");
    }

    static void starts(String expected, String message) {
        assertTrue(message.startsWith(expected), "expected \"" + expected + "...\", got: " + message);
    }

    @Test
    void theMinimalConfigIsValid() throws JboxException {
        assertEquals("box", new OciBundle(dir).read(OciBundle.MINIMAL).hostname());
    }

    /** config.md: mounts is OPTIONAL; a config without it was an internal error (NullPointerException) at create. */
    @Test
    void aConfigWithoutMountsHasNone() throws JboxException {
        ObjectNode c = OciBundle.minimal();
        c.remove("mounts");
        assertEquals(List.of(), new OciBundle(dir).read(c).mounts());
    }

    @Test
    void aNotifyActionIsRefusedForItHasNoListener() {
        assertEquals("config.json: linux.seccomp: SCMP_ACT_NOTIFY needs a seccomp listener (listenerPath), which jbox does not support",
                error(c -> linux(c).putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW").putArray("syscalls")
                        .addObject().put("action", "SCMP_ACT_NOTIFY").putArray("names").add("mount")));
    }

    /** config.md, Extensibility: runtimes MUST NOT generate an error on an unknown property, and MUST ignore it. */
    @Test
    void unknownPropertiesAreIgnoredAndNamedWithTheirFullPath() throws Exception {
        ObjectNode c = OciBundle.minimal();
        process(c).put("foo", 1);
        ((ObjectNode) linux(c).get("namespaces").get(1)).put("bar", "x");
        linux(c).putObject("resources").putObject("memory").put("limitt", 1).put("limit", 4096 * 1024);
        c.put("nonsense", true);
        c.putObject("future").putArray("list").addObject().put("x", 1);
        c.putObject("org.example.knob").put("x", 1);
        linux(c).putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW").put("newKnob", 3)
                .putArray("syscalls").addObject().put("action", "SCMP_ACT_ERRNO").put("hint", "x").putArray("names").add("mount");
        Files.writeString(new OciBundle(dir).dir.resolve("config.json"), c.toPrettyString());
        List<String> ignored = new ArrayList<>();
        ContainerSpec spec = OciConfig.read(dir, ignored::add);
        assertEquals(List.of("linux.seccomp.newKnob", "linux.seccomp.syscalls[0].hint", "process.foo",
                "linux.namespaces[1].bar", "linux.resources.memory.limitt", "nonsense", "future", "org.example.knob"), ignored);
        assertEquals(4096 * 1024L, spec.linux().resources().memory().limit(), "known properties beside them still count");
        assertEquals("pid", spec.linux().namespaces().get(1).type());
        assertEquals(1, spec.linux().seccomp().rules().size());
    }

    @Test
    void syntaxErrorsGiveLineAndColumn() {
        String m = error("{\n  \"ociVersion\": \"1.0.2\",\n  \"process\": {,\n}");
        starts("config.json: invalid json: ", m);
        assertTrue(m.endsWith("(line 3, column 15)"), m);
        starts("config.json: invalid json: duplicate field 'hostname'",
                error("{\"hostname\": \"a\", \"hostname\": \"b\"}"));
        starts("config.json: expected a json object", error("[]"));
    }

    @Test
    void wrongTypesNameTheField() {
        assertEquals("config.json: process.user.uid: invalid value: expected a number, got String \"root\"",
                error(c -> ((ObjectNode) process(c).get("user")).put("uid", "root")));
        assertEquals("config.json: process.args: invalid value: expected an array, got Integer value",
                error(c -> process(c).put("args", 3)));
    }

    /** The runtime-spec keeps every 1.x compatible: 1.3.0 (what current generators write) and later 1.x are read. */
    @Test
    void every1xVersionIsReadAndOtherMajorsOrNonSemverAreRefused() throws JboxException {
        for (String v : List.of("1.0.0", "1.2.1", "1.3.0", "1.17.4-rc.1+dev.2", "1.0.2-dev")) {
            ObjectNode c = OciBundle.minimal();
            c.put("ociVersion", v);
            assertEquals(v, new OciBundle(dir).read(c).ociVersion());
        }
        assertEquals("config.json: ociVersion: 2.0.0 is not supported (jbox reads runtime-spec 1.x)",
                error(c -> c.put("ociVersion", "2.0.0")));
        assertEquals("config.json: ociVersion: 0.9.1 is not supported (jbox reads runtime-spec 1.x)",
                error(c -> c.put("ociVersion", "0.9.1")));
        assertEquals("config.json: ociVersion: 1.3 is not a SemVer 2.0.0 version", error(c -> c.put("ociVersion", "1.3")));
        assertEquals("config.json: ociVersion: 01.0.0 is not a SemVer 2.0.0 version", error(c -> c.put("ociVersion", "01.0.0")));
        starts("config.json: ociVersion: is required", error(c -> c.remove("ociVersion")));
    }

    @Test
    void unsupportedFeaturesSaySo() {
        assertEquals("config.json: linux.intelRdt: not supported by jbox (runc fails too where intel rdt is not enabled)",
                error(c -> linux(c).putObject("intelRdt").put("closID", "x")));
        starts("config.json: linux.personality: not supported by jbox", error(c -> linux(c).putObject("personality").put("domain", "LINUX32")));
        starts("config.json: process.apparmorProfile: not supported by jbox", error(c -> process(c).put("apparmorProfile", "docker-default")));
        starts("config.json: process.selinuxLabel: not supported by jbox", error(c -> process(c).put("selinuxLabel", "x")));
        starts("config.json: linux.mountLabel: not supported by jbox", error(c -> linux(c).put("mountLabel", "x")));
        starts("config.json: solaris: not supported by jbox", error(c -> c.putObject("solaris").put("milestone", "x")));
        starts("config.json: windows: not supported by jbox", error(c -> c.putObject("windows").put("x", 1)));
        starts("config.json: vm: not supported by jbox", error(c -> c.putObject("vm").put("x", 1)));
        starts("config.json: process.ioPriority: not supported by jbox", error(c -> process(c).putObject("ioPriority").put("class", "IOPRIO_CLASS_RT")));
        starts("config.json: linux.timeOffsets: not supported by jbox", error(c -> linux(c).putObject("timeOffsets").putObject("boottime")));
        starts("config.json: process.scheduler: not supported by jbox", error(c -> process(c).putObject("scheduler").put("policy", "SCHED_FIFO")));
        starts("config.json: linux.resources.rdma: not supported by jbox", error(c -> linux(c).putObject("resources").putObject("rdma").putObject("mlx4_0").put("hcaHandles", 3)));
        starts("config.json: linux.seccomp.listenerPath: not supported by jbox", error(c -> linux(c).putObject("seccomp").put("listenerPath", "/x")));
    }

    /** config-linux.md, Devices: path and type are required, major and minor unless the type is p. */
    @Test
    void devicesAndResourcesThatWouldNameAnotherFileAreRefused() {
        assertEquals("config.json: linux.devices[0].type: is required (one of c, b, u, p)",
                error(c -> linux(c).putArray("devices").addObject().put("path", "/dev/fuse")));
        assertEquals("config.json: linux.devices[0].type: x is not one of c, b, u, p",
                error(c -> linux(c).putArray("devices").addObject().put("path", "/dev/fuse").put("type", "x")));
        assertEquals("config.json: linux.devices[0].minor: is required for a device of type c",
                error(c -> linux(c).putArray("devices").addObject().put("path", "/dev/fuse").put("type", "c").put("major", 10)));
        assertEquals("config.json: linux.devices[0].path: is required",
                error(c -> linux(c).putArray("devices").addObject().put("type", "p")));
        assertEquals("config.json: linux.resources.hugepageLimits[0].pageSize: ../../x is not a page size such as 2MB or 1GB",
                error(c -> linux(c).putObject("resources").putArray("hugepageLimits").addObject().put("pageSize", "../../x").put("limit", 1)));
        assertEquals("config.json: linux.resources.unified.../x: must be a file name of the container's cgroup (no slashes)",
                error(c -> linux(c).putObject("resources").putObject("unified").put("../x", "1")));
        assertEquals("config.json: linux.resources.network.priorities[0].name: lo 1 is not an interface name",
                error(c -> linux(c).putObject("resources").putObject("network").putArray("priorities").addObject()
                        .put("name", "lo 1").put("priority", 2)));
        assertEquals("config.json: linux.resources.memory.swappiness: 101 is outside 0..100",
                error(c -> linux(c).putObject("resources").putObject("memory").put("swappiness", 101)));
        assertEquals("config.json: linux.resources.blockIO.weight: 5 is outside 10..1000",
                error(c -> linux(c).putObject("resources").putObject("blockIO").put("weight", 5)));
    }

    /** Known fields runc ignores are ignored too, and named as such. */
    @Test
    void fieldsRuncIgnoresAreIgnoredWithAReason() throws Exception {
        ObjectNode c = OciBundle.minimal();
        linux(c).putObject("resources").putObject("memory").put("kernel", 1 << 20).put("kernelTCP", 1 << 20).put("limit", 1 << 24);
        ((ObjectNode) linux(c).get("resources")).putObject("cpu").put("idle", 1).put("burst", 1000);
        Files.writeString(new OciBundle(dir).dir.resolve("config.json"), c.toPrettyString());
        List<String> ignored = new ArrayList<>();
        ContainerSpec spec = OciConfig.read(dir, ignored::add);
        assertEquals(List.of(
                "linux.resources.memory.kernel: kernel memory limits are deprecated by the kernel; runc ignores them too",
                "linux.resources.memory.kernelTCP: kernel memory limits are deprecated by the kernel; runc ignores them too",
                "linux.resources.cpu.idle: runc 1.1 ignores it (cpu.idle stays 0)",
                "linux.resources.cpu.burst: runc 1.1 ignores it (cpu.cfs_burst_us stays 0)"), ignored);
        assertEquals(1L << 24, spec.linux().resources().memory().limit());
    }

    @Test
    void processRules() {
        assertEquals("config.json: process.args: must not be empty", error(c -> process(c).putArray("args")));
        assertEquals("config.json: process: is required", error(c -> c.remove("process")));
        assertEquals("config.json: process.cwd: must be an absolute path, not tmp", error(c -> process(c).put("cwd", "tmp")));
        assertEquals("config.json: process.env[0]: must be NAME=VALUE, not PATH", error(c -> process(c).putArray("env").add("PATH")));
        assertEquals("config.json: process.oomScoreAdj: 1001 is outside -1000..1000", error(c -> process(c).put("oomScoreAdj", 1001)));
        starts("config.json: process.capabilities.bounding[1]: unknown capability CAP_FLY",
                error(c -> process(c).putObject("capabilities").putArray("bounding").add("CAP_CHOWN").add("CAP_FLY")));
        starts("config.json: process.capabilities.ambient[0]: unknown capability chown",
                error(c -> process(c).putObject("capabilities").putArray("ambient").add("chown")));
        starts("config.json: process.rlimits[0].type: unknown rlimit RLIMIT_FOO",
                error(c -> process(c).putArray("rlimits").addObject().put("type", "RLIMIT_FOO").put("hard", 1).put("soft", 1)));
        starts("config.json: process.rlimits[0]: soft limit 10 is above the hard limit 5",
                error(c -> process(c).putArray("rlimits").addObject().put("type", "RLIMIT_NOFILE").put("hard", 5).put("soft", 10)));
        starts("config.json: process.user.umask: 4096 is outside",
                error(c -> ((ObjectNode) process(c).get("user")).put("umask", 4096)));
    }

    @Test
    void rootRules() {
        starts("config.json: root.path: " + dir.resolve("nope") + " does not exist",
                error(c -> ((ObjectNode) c.get("root")).put("path", "nope")));
        starts("config.json: root.path: is required", error(c -> c.remove("root")));
    }

    @Test
    void namespaceRules() {
        starts("config.json: linux.namespaces[3].type: time is not one of",
                error(c -> ((ArrayNode) linux(c).get("namespaces")).addObject().put("type", "time")));
        assertEquals("config.json: linux.namespaces[3].type: pid is listed twice",
                error(c -> ((ArrayNode) linux(c).get("namespaces")).addObject().put("type", "pid")));
        starts("config.json: linux.namespaces[3].path: must be an absolute path",
                error(c -> ((ArrayNode) linux(c).get("namespaces")).addObject().put("type", "network").put("path", "x")));
        assertEquals("config.json: linux.uidMappings: needs a user namespace (linux.namespaces has no \"user\")",
                error(c -> linux(c).putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 1).put("size", 1)));
        starts("config.json: linux.uidMappings: must not be empty with a new user namespace",
                error(c -> ((ArrayNode) linux(c).get("namespaces")).addObject().put("type", "user")));
        assertEquals("config.json: hostname: needs a uts namespace of its own (linux.namespaces has no \"uts\")",
                error(c -> ((ArrayNode) linux(c).get("namespaces")).remove(2)));
    }

    @Test
    void linuxRules() {
        starts("config.json: linux.cgroupsPath: machine.slice:libpod:abc is in systemd's slice:prefix:name form",
                error(c -> linux(c).put("cgroupsPath", "machine.slice:libpod:abc")));
        starts("config.json: linux.rootfsPropagation: everywhere is not one of",
                error(c -> linux(c).put("rootfsPropagation", "everywhere")));
        starts("config.json: linux.maskedPaths[0]: must be an absolute path",
                error(c -> linux(c).putArray("maskedPaths").add("proc/kcore")));
        starts("config.json: linux.readonlyPaths[0]: must be an absolute path",
                error(c -> linux(c).putArray("readonlyPaths").add("sys")));
        starts("config.json: linux.resources.devices[0].access: rwx is not",
                error(c -> linux(c).putObject("resources").putArray("devices").addObject().put("allow", true).put("access", "rwx")));
        starts("config.json: linux.resources.devices[0].type: u is not",
                error(c -> linux(c).putObject("resources").putArray("devices").addObject().put("allow", true).put("type", "u")));
        starts("config.json: linux.resources.memory.swap: 10 is below memory.limit 20",
                error(c -> linux(c).putObject("resources").putObject("memory").put("limit", 20).put("swap", 10)));
        starts("config.json: linux.resources.cpu.quota: -5 must not be negative",
                error(c -> linux(c).putObject("resources").putObject("cpu").put("quota", -5)));
        assertEquals("config.json: linux: is required (jbox runs linux containers)", error(c -> c.remove("linux")));
    }

    @Test
    void sysctlsMustBeNamespacedAndTheirNamespacePresent() {
        starts("config.json: linux.sysctl.vm.swappiness: is not namespaced",
                error(c -> linux(c).putObject("sysctl").put("vm.swappiness", "1")));
        starts("config.json: linux.sysctl.kernel.pid_max: is not namespaced",
                error(c -> linux(c).putObject("sysctl").put("kernel.pid_max", "1")));
        assertEquals("config.json: linux.sysctl.net.ipv4.ip_forward: needs a network namespace of the container's"
                + " (linux.namespaces has no \"network\")", error(c -> linux(c).putObject("sysctl").put("net.ipv4.ip_forward", "1")));
        starts("config.json: linux.sysctl.kernel.shmmax: needs a ipc namespace",
                error(c -> linux(c).putObject("sysctl").put("kernel.shmmax", "1")));
        starts("config.json: linux.sysctl.fs.mqueue.msg_max: needs a ipc namespace",
                error(c -> linux(c).putObject("sysctl").put("fs.mqueue.msg_max", "1")));
        starts("config.json: linux.sysctl.net/../x: is not a sysctl name",
                error(c -> linux(c).putObject("sysctl").put("net/../x", "1")));
    }

    @Test
    void netSysctlsAreRefusedInTheHostsNetworkNamespaceJoinedByPath() {
        // /proc/self/ns/net is the namespace jbox runs in: the sysctl would be set on the host.
        assertEquals("config.json: linux.sysctl.net.ipv4.ip_forward: is not allowed: the network namespace"
                + " /proc/self/ns/net is the host's", error(c -> {
                    ((ArrayNode) linux(c).get("namespaces")).addObject().put("type", "network").put("path", "/proc/self/ns/net");
                    linux(c).putObject("sysctl").put("net.ipv4.ip_forward", "1");
                }));
        assertEquals("config.json: linux.sysctl.kernel.shmmax: is not allowed: the ipc namespace"
                + " /proc/self/ns/ipc is the host's", error(c -> {
                    ArrayNode ns = (ArrayNode) linux(c).get("namespaces");
                    for (int i = ns.size() - 1; i >= 0; i--) {
                        if (ns.get(i).get("type").asText().equals("ipc")) {
                            ns.remove(i);
                        }
                    }
                    ns.addObject().put("type", "ipc").put("path", "/proc/self/ns/ipc");
                    linux(c).putObject("sysctl").put("kernel.shmmax", "1");
                }));
    }

    @Test
    void mountAndHookRules() {
        starts("config.json: mounts[0].destination: must be an absolute path, not data",
                error(c -> c.putArray("mounts").addObject().put("destination", "data").put("type", "tmpfs")));
        starts("config.json: mounts[0].source: is required for a bind mount",
                error(c -> c.putArray("mounts").addObject().put("destination", "/data").put("type", "bind")));
        starts("config.json: mounts[0].type: is required",
                error(c -> c.putArray("mounts").addObject().put("destination", "/data").put("source", "x")));
        starts("config.json: hooks.poststop[0].path: must be an absolute path, not hook",
                error(c -> c.putObject("hooks").putArray("poststop").addObject().put("path", "hook")));
        starts("config.json: hooks.prestart[0].timeout: must be positive",
                error(c -> c.putObject("hooks").putArray("prestart").addObject().put("path", "/hook").put("timeout", 0)));
    }

    @Test
    void emptyUnsupportedFieldsAreAccepted() throws JboxException {
        ObjectNode c = OciBundle.minimal();
        linux(c).putArray("devices");
        linux(c).put("mountLabel", "");
        process(c).put("apparmorProfile", "");
        linux(c).putObject("seccomp").put("defaultAction", "SCMP_ACT_ALLOW").putArray("flags");
        assertEquals(jbox.security.SeccompAction.ALLOW, new OciBundle(dir).read(c).linux().seccomp().defaultAction());
    }

    @Test
    void seccompErrorsCarryTheFilesLineAndColumn() {
        String m = error("{\n \"ociVersion\": \"1.0.2\",\n \"linux\": {\"seccomp\": {\n   \"defaultAction\": \"SCMP_ACT_NOPE\"}}}");
        starts("seccomp profile config.json linux.seccomp: ", m);
        assertTrue(m.contains("line 4"), m);
    }
}
