package jbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.process.MountOptions;
import jbox.security.Capabilities;
import jbox.security.SeccompAction;
import jbox.security.SeccompProfile;
import picocli.CommandLine.Command;

/**
 * `jbox features`: what this runtime implements, as runc's features JSON (runtime-spec
 * features.md), so a caller can check before it builds a config.
 */
@Command(name = "features", description = "Print the OCI features jbox implements, as JSON.", mixinStandardHelpOptions = true)
public final class FeaturesCommand extends RequestCommand implements Callable<Integer> {
    static final List<String> HOOKS = List.of("prestart", "createRuntime", "createContainer", "startContainer",
            "poststart", "poststop");
    /** The OCI CLI verbs jbox implements (checkpoint and restore are refused: no CRIU). */
    static final List<String> COMMANDS = List.of("create", "start", "state", "kill", "delete", "exec", "list", "ps", "run",
            "pause", "resume", "update", "events", "spec", "features");
    static final List<String> NAMESPACES = List.of("cgroup", "ipc", "mount", "network", "pid", "user", "uts");

    @Override
    public Integer call() throws JboxException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode f = json.createObjectNode();
        f.put("ociVersionMin", "1.0.0");
        f.put("ociVersionMax", "1.2.0");
        strings(f.putArray("hooks"), HOOKS);
        strings(f.putArray("mountOptions"), MountOptions.known());
        ObjectNode linux = f.putObject("linux");
        strings(linux.putArray("namespaces"), NAMESPACES);
        ArrayNode caps = linux.putArray("capabilities");
        for (int i = 0; i < Capabilities.count(); i++) {
            caps.add(Capabilities.name(i));
        }
        ObjectNode cgroup = linux.putObject("cgroup");
        cgroup.put("v1", true).put("v2", true).put("systemd", false).put("systemdUser", false);
        ObjectNode seccomp = linux.putObject("seccomp");
        seccomp.put("enabled", true);
        ArrayNode actions = seccomp.putArray("actions").add("SCMP_ACT_KILL");
        for (SeccompAction.Kind k : SeccompAction.Kind.values()) {
            if (k != SeccompAction.Kind.NOTIFY) { // configs cannot name a listener (listenerPath) here
                actions.add("SCMP_ACT_" + k.name());
            }
        }
        ArrayNode operators = seccomp.putArray("operators");
        for (SeccompProfile.Op op : SeccompProfile.Op.values()) {
            operators.add("SCMP_CMP_" + op.name());
        }
        // Filters are compiled for x86_64 alone; other ABIs are refused (see SeccompCompiler).
        strings(seccomp.putArray("archs"), List.of("SCMP_ARCH_X86_64"));
        linux.putObject("apparmor").put("enabled", false);
        linux.putObject("selinux").put("enabled", false);
        linux.putObject("intelRdt").put("enabled", false);
        // runc's counterpart is org.opencontainers.runc.checkpoint.enabled; callers look for such a key.
        f.putObject("annotations").put("dev.jbox.cgroup.devices.v2", "not enforced")
                .put("dev.jbox.checkpoint.enabled", "false")
                .put("dev.jbox.commands", String.join(",", COMMANDS));
        try {
            out().println(json.writeValueAsString(f));
        } catch (JsonProcessingException e) {
            throw new JboxException("cannot print the features: " + e.getOriginalMessage(), e);
        }
        return 0;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
