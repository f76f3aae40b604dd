package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.config.Config;
import jbox.image.ImageMeta;
import jbox.image.ImageStore;
import jbox.io.IoReason;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerStop;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox inspect NAME...`: containers (or, for a name that is no container, images) as a JSON array
 * shaped like docker's and podman's — Id, Name, Created, State, Config, HostConfig,
 * NetworkSettings, Mounts — with jbox's own additions (the OCI config it runs, a detached run's
 * report, its namespaces while it runs). `--format '{{.State.Pid}}'` prints one line per container.
 */
@Command(name = "inspect", description = "Show containers or images as JSON (docker's shape).", mixinStandardHelpOptions = true)
public final class InspectCommand extends RequestCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> refs;

    @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE", description = "A Go template per object: '{{.State.Pid}}', '{{json .Config}}'.")
    String format;

    @Option(names = "--type", paramLabel = "TYPE", description = "container or image (default: a container, else an image).")
    String type;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws JboxException {
        if (type != null && !type.equals("container") && !type.equals("image")) {
            throw new JboxException("invalid --type " + type + ": use container or image");
        }
        GoTemplate template = format == null ? null : GoTemplate.parse(format);
        Config config = config();
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerStop stop = new ContainerStop(states, new ContainerCgroups(config));
        ImageStore images = ImageCommand.store(config);
        List<JsonNode> found = new ArrayList<>();
        int status = EachRef.run(request, refs, ref -> {
            JsonNode node = "image".equals(type) ? ImageCommand.inspect(images, images.get(ref)) : null;
            if (node == null) {
                ContainerRecord s = null;
                try {
                    s = states.find(ref);
                } catch (JboxException notAContainer) {
                    if ("container".equals(type) || !images.exists(ref)) {
                        throw "container".equals(type) ? notAContainer
                                : new JboxException("no such container or image: " + ref);
                    }
                    node = ImageCommand.inspect(images, images.get(ref));
                }
                if (s != null) {
                    node = container(new ContainerView(states, s, ContainerView.paused(states, stop, s)), images);
                }
            }
            if (template != null) {
                out().println(template.render(node)); // one object at a time: a later failure keeps these
            } else {
                found.add(node);
            }
        });
        if (template == null) {
            ArrayNode array = JSON.createArrayNode();
            found.forEach(array::add);
            print(out(), array);
        }
        return status;
    }

    static void print(PrintStream out, JsonNode node) throws JboxException {
        try {
            out.println(JSON.writeValueAsString(node));
        } catch (IOException e) {
            throw new JboxException("cannot print JSON: " + IoReason.of(e), e);
        }
    }

    /** One container in docker's shape. */
    static ObjectNode container(ContainerView v, ImageStore images) {
        ContainerRecord s = v.record;
        JsonNode spec = v.config;
        JsonNode process = spec.path("process");
        ObjectNode o = JSON.createObjectNode();
        o.put("Id", s.id());
        o.put("Created", s.created());
        List<String> args = v.args();
        ImageMeta image = null;
        try {
            image = s.image() == null ? null : images.get(s.image());
        } catch (JboxException removedSince) {
            // the image went after the container was made: its name is all we know
        }
        o.put("Path", args.isEmpty() ? "" : args.get(0));
        ArrayNode rest = o.putArray("Args");
        args.stream().skip(1).forEach(rest::add);

        ObjectNode state = o.putObject("State");
        state.put("Status", v.status);
        state.put("Running", v.running());
        state.put("Paused", v.status.equals("paused"));
        state.put("Restarting", false);
        JsonNode report = readJson(v.stateDir.resolve("report.json"));
        state.put("OOMKilled", report != null && "oom_killed".equals(report.path("reason").asText()));
        state.put("Dead", v.status.equals("dead"));
        state.put("Pid", v.pid());
        state.put("ExitCode", s.exitCode() == null ? 0 : s.exitCode());
        state.put("Error", "");
        state.put("StartedAt", v.started == null ? ContainerView.NO_TIME : v.started.toString());
        state.put("FinishedAt", v.finished == null ? ContainerView.NO_TIME : v.finished.toString());

        o.put("Image", image == null ? "" : ImageCommand.imageId(image));
        o.put("ImageName", s.image() == null ? "" : s.image());
        o.put("Name", v.name());
        o.put("RestartCount", 0);
        o.put("Driver", "overlay");
        o.put("Platform", "linux");
        o.put("ResolvConfPath", v.stateDir.resolve("resolv.conf").toString());
        o.put("HostnamePath", v.stateDir.resolve("hostname").toString());
        o.put("HostsPath", v.stateDir.resolve("hosts").toString());
        o.put("LogPath", s.layerDir() == null ? "" : Path.of(s.layerDir()).resolve(LogsCommand.LOG).toString());

        ObjectNode c = o.putObject("Config");
        c.put("Hostname", spec.path("hostname").asText(""));
        JsonNode user = process.path("user");
        c.put("User", user.isMissingNode() ? "" : user.path("uid").asLong() + ":" + user.path("gid").asLong());
        c.put("Tty", process.path("terminal").asBoolean(false));
        c.set("Env", process.path("env").isArray() ? process.get("env") : JSON.createArrayNode());
        List<String> entrypoint = image == null ? List.of() : image.entrypoint();
        boolean fromEntrypoint = !entrypoint.isEmpty() && args.size() >= entrypoint.size()
                && args.subList(0, entrypoint.size()).equals(entrypoint);
        ArrayNode cmd = c.putArray("Cmd");
        args.stream().skip(fromEntrypoint ? entrypoint.size() : 0).forEach(cmd::add);
        if (fromEntrypoint) {
            ArrayNode ep = c.putArray("Entrypoint");
            entrypoint.forEach(ep::add);
        } else {
            c.putNull("Entrypoint");
        }
        c.put("Image", s.image() == null ? "" : s.image());
        c.put("WorkingDir", process.path("cwd").asText("/"));
        ObjectNode labels = c.putObject("Labels");
        v.labels().forEach(labels::put);
        c.set("Annotations", spec.path("annotations").isObject() ? spec.get("annotations") : JSON.createObjectNode());

        ObjectNode h = o.putObject("HostConfig");
        JsonNode res = spec.path("linux").path("resources");
        h.put("Memory", res.path("memory").path("limit").asLong(0));
        h.put("MemorySwap", res.path("memory").path("swap").asLong(0));
        long quota = res.path("cpu").path("quota").asLong(0);
        long period = res.path("cpu").path("period").asLong(0);
        h.put("NanoCpus", quota > 0 && period > 0 ? quota * 1_000_000_000L / period : 0);
        h.put("CpuShares", res.path("cpu").path("shares").asLong(0));
        if (res.path("pids").has("limit")) {
            h.put("PidsLimit", res.path("pids").path("limit").asLong());
        } else {
            h.putNull("PidsLimit");
        }
        h.put("NetworkMode", v.networkMode());
        h.set("PortBindings", v.portMap());
        h.put("ReadonlyRootfs", spec.path("root").path("readonly").asBoolean(false));
        h.put("Privileged", privileged(spec));
        h.put("AutoRemove", s.autoRemove());
        ArrayNode caps = o.putArray("BoundingCaps"); // podman's name: the capabilities it may have
        process.path("capabilities").path("bounding").forEach(caps::add);
        ArrayNode binds = h.putArray("Binds");

        ObjectNode n = o.putObject("NetworkSettings");
        String ip = v.running() ? v.ipAddress() : "";
        n.put("IPAddress", ip);
        n.set("Ports", v.running() ? v.portMap() : JSON.createObjectNode());
        ObjectNode networks = n.putObject("Networks");
        if (!v.networkMode().equals("none") && !v.networkMode().equals("host") && !v.networkMode().startsWith("container:")) {
            networks.putObject(v.networkMode()).put("IPAddress", ip);
        }

        ArrayNode mounts = o.putArray("Mounts");
        for (JsonNode m : spec.path("mounts")) {
            List<String> options = new ArrayList<>();
            m.path("options").forEach(x -> options.add(x.asText()));
            String source = m.path("source").asText("");
            boolean bind = options.contains("bind") || options.contains("rbind") || "bind".equals(m.path("type").asText());
            if (!bind || source.startsWith(v.stateDir.toString()) || source.startsWith("/dev") || source.startsWith("/proc")
                    || source.startsWith("/sys")) {
                continue; // jbox's own /etc files and kernel file systems, not the user's mounts
            }
            boolean rw = !options.contains("ro");
            mounts.addObject().put("Type", "bind").put("Source", source)
                    .put("Destination", m.path("destination").asText()).put("Mode", rw ? "rw" : "ro").put("RW", rw)
                    .put("Propagation", options.stream().filter(x -> x.matches("r?(shared|slave|private|unbindable)"))
                            .findFirst().orElse("rprivate"));
            binds.add(source + ":" + m.path("destination").asText() + (rw ? "" : ":ro"));
        }

        // jbox's own: the OCI config it runs, a detached run's report, where its state lives, its namespaces now.
        o.put("StateDir", v.stateDir.toString());
        if (!spec.isEmpty()) {
            o.set("OCIConfig", spec);
        }
        if (report != null) {
            o.set("Report", report);
        }
        if (v.running() && s.pid() > 0) {
            ObjectNode ns = o.putObject("Namespaces");
            for (String t : NsCommand.TYPES) {
                try {
                    ns.put(t, Files.readSymbolicLink(Path.of("/proc/" + s.pid() + "/ns/" + t)).toString());
                } catch (IOException e) {
                    ns.put(t, "?");
                }
            }
        }
        return o;
    }

    /** --privileged turns off seccomp and keeps every capability: that is what it is seen by. */
    private static boolean privileged(JsonNode spec) {
        return spec.path("process").path("capabilities").path("bounding").size() >= 38
                && spec.path("linux").path("seccomp").isMissingNode();
    }

    private static JsonNode readJson(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            return JSON.createObjectNode().put("unreadable", IoReason.of(e));
        }
    }
}
