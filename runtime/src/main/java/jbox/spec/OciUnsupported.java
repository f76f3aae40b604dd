package jbox.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import jbox.JboxException;

/**
 * Fields of the OCI runtime spec that jbox knows of but does not implement (FIELDS), or ignores as
 * runc does (IGNORED, named to the caller; docs/oci-config.md says why for each). Running a config
 * that sets an unsupported one would silently drop a restriction or a setting the user asked for, so a set
 * value is an error that says so; an empty value (null, false, "", [], {}) is what generators
 * write for "none" and is accepted. Checked on the JSON tree before it is mapped onto
 * ContainerSpec, which has no fields for them (they would otherwise read as unknown).
 */
final class OciUnsupported {
    private record Field(String path, String why) {
    }

    private static final String NO = "not supported by jbox";

    private static final List<Field> FIELDS = List.of(
            new Field("domainname", NO),
            new Field("solaris", NO + " (a linux runtime)"),
            new Field("windows", NO + " (a linux runtime)"),
            new Field("vm", NO + " (not a virtual-machine runtime)"),
            new Field("zos", NO + " (a linux runtime)"),
            // runc fails on a host without them too (it writes /proc/self/attr/exec, mounts with context=).
            new Field("process.apparmorProfile", NO + " (no apparmor support; runc fails too where apparmor is off)"),
            new Field("process.selinuxLabel", NO + " (no selinux support; runc fails too where selinux is off)"),
            new Field("process.ioPriority", NO),
            new Field("process.scheduler", NO),
            new Field("process.execCPUAffinity", NO),
            new Field("process.commandLine", NO + " (windows only)"),
            new Field("process.user.username", NO + " (windows only)"),
            new Field("linux.intelRdt", NO + " (runc fails too where intel rdt is not enabled)"),
            new Field("linux.personality", NO),
            new Field("linux.mountLabel", NO + " (no selinux support; runc fails too where selinux is off)"),
            new Field("linux.timeOffsets", NO + " (no time namespace)"),
            new Field("linux.memoryPolicy", NO),
            new Field("linux.netDevices", NO),
            new Field("linux.seccomp.flags", NO + " (filters are installed with NEW_LISTENER only)"),
            new Field("linux.seccomp.listenerPath", NO + " (jbox's own monitor answers notifications)"),
            new Field("linux.seccomp.listenerMetadata", NO + " (jbox's own monitor answers notifications)"),
            new Field("linux.resources.rdma", NO + " (runc fails too where the rdma controller is not mounted)"));

    /**
     * Fields accepted and ignored, each for the reason given, as runc 1.1 does (docs/oci-config.md):
     * the caller hears of them as debug notes.
     */
    private static final List<Field> IGNORED = List.of(
            new Field("process.consoleSize", "jbox does not size the terminal from the config; the console socket's peer can"),
            new Field("linux.resources.memory.kernel", "kernel memory limits are deprecated by the kernel; runc ignores them too"),
            new Field("linux.resources.memory.kernelTCP", "kernel memory limits are deprecated by the kernel; runc ignores them too"),
            new Field("linux.resources.memory.useHierarchy", "the kernel always uses the hierarchy (5.16 on); runc ignores it too"),
            new Field("linux.resources.memory.checkBeforeUpdate", "it applies to update only; runc 1.1 ignores it"),
            new Field("linux.resources.cpu.idle", "runc 1.1 ignores it (cpu.idle stays 0)"),
            new Field("linux.resources.cpu.burst", "runc 1.1 ignores it (cpu.cfs_burst_us stays 0)"));

    private OciUnsupported() {
    }

    /**
     * Fails on the first unsupported field set; removes the ignored and empty unsupported ones,
     * naming each ignored one that was set to {@code ignored} ("linux.resources.memory.kernel: why").
     */
    static void check(ObjectNode root, Consumer<String> ignored) throws JboxException {
        for (Field f : FIELDS) {
            JsonNode value = at(root, f.path());
            if (value != null && !empty(value)) {
                throw new JboxException(OciConfig.FILE + ": " + f.path() + ": " + f.why());
            }
            remove(root, f.path());
        }
        for (Field f : IGNORED) {
            JsonNode value = at(root, f.path());
            if (value != null && !value.isNull()) {
                ignored.accept(f.path() + ": " + f.why());
            }
            remove(root, f.path());
        }
        JsonNode mounts = root.get("mounts");
        for (int i = 0; mounts != null && mounts.isArray() && i < mounts.size(); i++) {
            for (String maps : List.of("uidMappings", "gidMappings")) {
                JsonNode v = mounts.get(i).get(maps);
                if (v != null && !empty(v)) {
                    // idmap and ridmap take the container's own maps; others would be silently replaced.
                    throw new JboxException(OciConfig.FILE + ": mounts[" + i + "]." + maps + ": " + NO
                            + " (an idmap mount uses the container's user namespace)");
                }
            }
        }
    }

    private static boolean empty(JsonNode v) {
        return v.isNull() || (v.isBoolean() && !v.booleanValue()) || (v.isTextual() && v.textValue().isEmpty())
                || (v.isContainerNode() && v.isEmpty());
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            if (n == null || !n.isObject()) {
                return null;
            }
            n = n.get(part);
        }
        return n;
    }

    private static void remove(ObjectNode root, String path) {
        int dot = path.lastIndexOf('.');
        JsonNode parent = dot < 0 ? root : at(root, path.substring(0, dot));
        if (parent instanceof ObjectNode o) {
            o.remove(path.substring(dot + 1));
        }
    }
}
