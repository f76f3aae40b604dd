// One container of `jbox run` as ps and inspect show it: docker's words, from the record, its config.json and the kernel.
package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.network.PortLeases;
import jbox.runtime.ContainerStop;
import jbox.runtime.SpecFile;
import jbox.spec.NetworkMode;
import jbox.spec.PortMapping;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;

/**
 * What `ps` and `inspect` say about one container, computed once: its status in docker's words
 * (created, running, paused, exited, dead) read off the kernel as StateStore does, when it started
 * (its init's start time) and finished, its command, labels and ports from the spec it runs
 * (config.json beside its state), its address from its generated hosts file.
 */
final class ContainerView {
    /** Labels given as spec annotations carry this prefix (`run -l` keeps them in the record: labels()). */
    static final String LABEL_PREFIX = "dev.jbox.label.";
    static final String NO_TIME = "0001-01-01T00:00:00Z"; // docker's zero time, for "never"

    private static final ObjectMapper JSON = new ObjectMapper();

    final ContainerRecord record;
    final boolean live;
    final String status; // created, running, paused, exited, dead
    final JsonNode config; // config.json, or an empty object when it is missing (a run that failed early)
    final Path stateDir;
    final Path stateRoot;
    final Instant created;
    final Instant started;
    final Instant finished;

    ContainerView(StateStore states, ContainerRecord r, boolean paused) {
        this.record = r;
        this.live = states.isOwned(r.id());
        String s = states.runStatus(r, live);
        this.status = paused && s.equals(ContainerRecord.RUNNING) ? "paused" : s;
        this.stateDir = states.dir(r.id());
        this.stateRoot = states.root();
        this.config = readConfig(stateDir.resolve(SpecFile.NAME));
        this.created = HumanTime.parse(r.created());
        this.started = r.pid() > 0 ? HumanTime.processStart(r.pidStartTime(), created) : null;
        this.finished = HumanTime.parse(r.finished());
    }

    /**
     * Frozen (the freezer of its cgroup), for a live container; false when that cannot be read: its
     * owner may be removing the cgroup right now, and ps or inspect must not fail for that.
     */
    static boolean paused(StateStore states, ContainerStop stop, ContainerRecord s) {
        if (!states.isOwned(s.id()) || s.cgroup() == null) {
            return false;
        }
        try {
            return stop.status(s) == Status.PAUSED;
        } catch (JboxException goingAway) {
            return false;
        }
    }

    private static JsonNode readConfig(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    String name() {
        return record.name() == null ? "" : record.name();
    }

    boolean running() {
        return running(status);
    }

    /** Running in docker's sense: its process lives, paused or not. */
    static boolean running(String status) {
        return status.equals(ContainerRecord.RUNNING) || status.equals("paused");
    }

    /** The init's pid while it runs; 0 once it has exited (its pid may name another process now). */
    long pid() {
        return running() ? record.pid() : 0;
    }

    List<String> args() {
        List<String> out = new ArrayList<>();
        config.path("process").path("args").forEach(a -> out.add(a.asText()));
        return out;
    }

    /** docker's COMMAND: the arguments joined, quoted, cut to 20 characters with an ellipsis unless {@code full}. */
    String command(boolean full) {
        String c = String.join(" ", args());
        if (!full && c.length() > 20) {
            c = c.substring(0, 19) + "…";
        }
        return "\"" + c + "\"";
    }

    /** docker's STATUS: "Up 3 minutes", "Up 3 minutes (Paused)", "Exited (137) 2 minutes ago", "Created", "Dead". */
    String statusLine(Instant now) {
        return switch (status) {
            case "running" -> "Up " + HumanTime.duration(Duration.between(started == null ? now : started, now));
            case "paused" -> "Up " + HumanTime.duration(Duration.between(started == null ? now : started, now)) + " (Paused)";
            case "exited" -> "Exited (" + record.exitCode() + ") " + (finished == null ? "" : HumanTime.ago(finished, now));
            case "created" -> "Created";
            default -> "Dead";
        };
    }

    Map<String, String> labels() {
        return labels(record, config);
    }

    /**
     * `run -l K=V`: a jbox run record's annotations are its labels (state.json); labels that came
     * in the spec as annotations {@code dev.jbox.label.K} count too.
     */
    static Map<String, String> labels(ContainerRecord record, JsonNode config) {
        Map<String, String> out = new LinkedHashMap<>();
        if (record.annotations() != null && record.image() != null) {
            out.putAll(record.annotations());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("annotations").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().startsWith(LABEL_PREFIX)) {
                out.put(e.getKey().substring(LABEL_PREFIX.length()), e.getValue().asText());
            }
        }
        return out;
    }

    String annotation(String key) {
        JsonNode v = config.path("annotations").get(key);
        return v == null ? null : v.asText();
    }

    /**
     * The published ports: while it runs, as leased (with the host ports chosen for -p CPORT and -P);
     * else as asked for with -p (from the spec: an exited container keeps them in inspect).
     */
    List<PortMapping> ports() {
        try {
            if (running()) {
                // as leased: the host ports chosen for -p CPORT and -P (the spec has 0 for them)
                List<PortMapping> leased = PortLeases.of(stateRoot).of(record.id());
                if (!leased.isEmpty()) {
                    return leased;
                }
            }
            return PortMapping.parseAnnotation(annotation(NetworkMode.ANNOTATION_PORTS));
        } catch (JboxException e) {
            return List.of();
        }
    }

    /** docker's PORTS: "0.0.0.0:8080->80/tcp, ..." while it runs. */
    String portsLine() {
        if (!running()) {
            return "";
        }
        List<String> out = new ArrayList<>();
        for (PortMapping p : ports()) {
            out.add((p.hostIp() == null ? "0.0.0.0" : p.hostIp()) + ":" + p.hostPort() + "->" + p.containerPort() + "/" + p.protocol());
        }
        return String.join(", ", out);
    }

    String networkMode() {
        String mode = annotation(NetworkMode.ANNOTATION_MODE);
        String network = annotation(NetworkMode.ANNOTATION_NETWORK);
        if (mode == null) {
            return "none";
        }
        if (mode.equals("bridge") && network != null) {
            return network;
        }
        if (mode.equals("container")) {
            return "container:" + annotation(NetworkMode.ANNOTATION_CONTAINER);
        }
        return mode;
    }

    /** The address from the container's generated /etc/hosts (its own line), or "" (no network of its own). */
    String ipAddress() {
        try {
            for (String line : Files.readString(stateDir.resolve("hosts")).split("\n")) {
                if (line.contains(record.shortId()) && !line.startsWith("127.") && !line.startsWith("::")) {
                    return line.split("\\s+")[0];
                }
            }
        } catch (IOException ignored) {
            // no generated hosts file (host network, or already removed)
        }
        return "";
    }

    /** The `ps --format` fields ({{.ID}}, {{.Names}}, ...), and the objects of `ps --format json`. */
    ObjectNode row(Instant now, boolean noTrunc) {
        ObjectNode o = JSON.createObjectNode();
        o.put("ID", noTrunc ? record.id() : record.shortId());
        o.put("Id", record.id());
        o.put("Names", name());
        o.put("Image", record.image() == null ? "" : record.image());
        o.put("Command", command(noTrunc));
        o.put("CreatedAt", created == null ? "" : created.toString());
        o.put("RunningFor", HumanTime.ago(created, now));
        o.put("Status", statusLine(now));
        o.put("State", status);
        o.put("Ports", portsLine());
        List<String> l = new ArrayList<>();
        labels().forEach((k, v) -> l.add(k + "=" + v));
        o.put("Labels", String.join(",", l));
        o.put("Pid", pid());
        if (record.exitCode() != null) {
            o.put("ExitCode", record.exitCode());
        } else {
            o.putNull("ExitCode");
        }
        o.put("Networks", networkMode());
        return o;
    }

    /** The port map docker prints in HostConfig.PortBindings and NetworkSettings.Ports. */
    ObjectNode portMap() {
        ObjectNode o = JSON.createObjectNode();
        for (PortMapping p : ports()) {
            ArrayNode a = o.has(p.containerPort() + "/" + p.protocol()) ? (ArrayNode) o.get(p.containerPort() + "/" + p.protocol())
                    : o.putArray(p.containerPort() + "/" + p.protocol());
            a.addObject().put("HostIp", p.hostIp() == null ? "" : p.hostIp()).put("HostPort", Integer.toString(p.hostPort()));
        }
        return o;
    }
}
