package jbox.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import jbox.JboxException;

/**
 * Fields of the OCI runtime spec that jbox knows of but does not implement. Running a config
 * that sets one would silently drop a restriction or a setting the user asked for, so a set
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
            new Field("process.apparmorProfile", NO + " (no apparmor support)"),
            new Field("process.selinuxLabel", NO + " (no selinux support)"),
            new Field("process.ioPriority", NO),
            new Field("process.scheduler", NO),
            new Field("process.execCPUAffinity", NO),
            new Field("process.commandLine", NO + " (windows only)"),
            new Field("process.user.username", NO + " (windows only)"),
            new Field("linux.devices", NO + " (device nodes are bind-mounted from the host, mknod is refused)"),
            new Field("linux.intelRdt", NO),
            new Field("linux.personality", NO),
            new Field("linux.mountLabel", NO + " (no selinux support)"),
            new Field("linux.timeOffsets", NO + " (no time namespace)"),
            new Field("linux.memoryPolicy", NO),
            new Field("linux.netDevices", NO),
            new Field("linux.seccomp.flags", NO + " (filters are installed with NEW_LISTENER only)"),
            new Field("linux.seccomp.listenerPath", NO + " (jbox's own monitor answers notifications)"),
            new Field("linux.seccomp.listenerMetadata", NO + " (jbox's own monitor answers notifications)"),
            new Field("linux.resources.blockIO", NO),
            new Field("linux.resources.hugepageLimits", NO),
            new Field("linux.resources.network", NO),
            new Field("linux.resources.rdma", NO),
            new Field("linux.resources.unified", NO),
            new Field("linux.resources.memory.kernel", NO + " (deprecated by the kernel)"),
            new Field("linux.resources.memory.kernelTCP", NO),
            new Field("linux.resources.memory.swappiness", NO),
            new Field("linux.resources.memory.disableOOMKiller", NO),
            new Field("linux.resources.memory.useHierarchy", NO),
            new Field("linux.resources.memory.checkBeforeUpdate", NO),
            new Field("linux.resources.cpu.cpus", NO + " (no cpuset support)"),
            new Field("linux.resources.cpu.mems", NO + " (no cpuset support)"),
            new Field("linux.resources.cpu.realtimeRuntime", NO),
            new Field("linux.resources.cpu.realtimePeriod", NO),
            new Field("linux.resources.cpu.idle", NO),
            new Field("linux.resources.cpu.burst", NO));

    /**
     * Fields accepted and ignored: process.consoleSize (jbox does not size the container's
     * terminal from the config; the console socket's peer can).
     */
    private static final List<String> IGNORED = List.of("process.consoleSize");

    private OciUnsupported() {
    }

    /** Fails on the first unsupported field set; removes the ignored and empty unsupported ones. */
    static void check(ObjectNode root) throws JboxException {
        for (Field f : FIELDS) {
            JsonNode value = at(root, f.path());
            if (value != null && !empty(value)) {
                throw new JboxException(OciConfig.FILE + ": " + f.path() + ": " + f.why());
            }
            remove(root, f.path());
        }
        for (String path : IGNORED) {
            remove(root, path);
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
