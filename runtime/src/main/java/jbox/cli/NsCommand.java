package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.network.VethNames;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox ns ID`: the container's namespaces next to the host's, as /proc/PID/ns shows them (the
 * `ls -l /proc/$$/ns` of the namespace tutorials, made live), its id maps and hostname, and the
 * nsenter command that enters it.
 */
@Command(name = "ns", description = "Show a running container's namespaces next to the host's.", mixinStandardHelpOptions = true)
public final class NsCommand extends RequestCommand implements Callable<Integer> {
    static final List<String> TYPES = List.of("cgroup", "ipc", "mnt", "net", "pid", "user", "uts");

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json.")
    String format = "table";

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Override
    public Integer call() throws JboxException {
        ContainerRecord s = StateStore.ofRun(config().stateRoot()).findRunning(ref);
        Path proc = Path.of("/proc/" + s.pid());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("pid", s.pid());
        Map<String, Map<String, Object>> ns = new LinkedHashMap<>();
        for (String t : TYPES) {
            String inside = link(proc.resolve("ns").resolve(t));
            String host = link(Path.of("/proc/self/ns").resolve(t)); // where jbox runs: the host, usually
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("container", inside);
            row.put("host", host);
            row.put("shared", inside.equals(host));
            ns.put(t, row);
        }
        out.put("namespaces", ns);
        out.put("uidMap", read(proc.resolve("uid_map")));
        out.put("gidMap", read(proc.resolve("gid_map")));
        out.put("hostname", read(proc.resolve("root/etc/hostname")));
        // Bridge mode: the host end of the veth pair lives in jbox's network namespace (read from
        // /proc/net/dev: it shows the reader's namespace, where /sys/class/net shows sysfs's).
        String hostEnd = VethNames.hostEnd(s.id());
        if (read(Path.of("/proc/net/dev")).contains(" " + hostEnd + ":")) {
            out.put("veth", hostEnd + " <-> " + VethNames.CONTAINER_IF);
            out.put("netnsName", VethNames.netns(s.id()));
        }
        out.put("nsenter", "nsenter --target " + s.pid() + " --all");
        if (format.equals("json")) {
            try {
                out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
            } catch (IOException e) {
                throw new JboxException("cannot print JSON: " + IoReason.of(e), e);
            }
            return 0;
        }
        if (!format.equals("table")) {
            throw new JboxException("unknown --format " + format + " (use table or json)");
        }
        out().printf("container %s, init pid %d (host view)%n", s.shortId(), s.pid());
        out().printf("%-8s %-22s %-22s %s%n", "TYPE", "CONTAINER", "HOST", "SHARED");
        for (Map.Entry<String, Map<String, Object>> e : ns.entrySet()) {
            out().printf("%-8s %-22s %-22s %s%n", e.getKey(), e.getValue().get("container"), e.getValue().get("host"),
                    (Boolean) e.getValue().get("shared") ? "yes" : "no");
        }
        out().println("uid_map  " + out.get("uidMap"));
        out().println("gid_map  " + out.get("gidMap"));
        out().println("hostname " + out.get("hostname"));
        if (out.containsKey("veth")) {
            out().println("veth     " + out.get("veth") + " (ip netns exec " + out.get("netnsName") + " ip addr)");
        }
        out().println("enter it " + out.get("nsenter"));
        return 0;
    }

    private static String link(Path p) throws JboxException {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw new JboxException("cannot read " + p + ": " + IoReason.of(e), e);
        }
    }

    private static String read(Path p) {
        try {
            return ProcFile.read(p).trim().replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "?";
        }
    }
}
