package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.network.PortLeases;
import jbox.runtime.SpecFile;
import jbox.spec.PortMapping;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `jbox inspect ID`: the container's recorded state as JSON, with whether it still runs. */
@Command(name = "inspect", description = "Show a container's state as JSON.", mixinStandardHelpOptions = true)
public final class InspectCommand extends RequestCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Override
    public Integer call() throws JboxException {
        StateStore states = StateStore.ofRun(config().stateRoot());
        ContainerRecord s = states.find(ref);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = PsCommand.recorded(json, s);
        boolean live = states.isOwned(s.id());
        node.put("running", live);
        node.put("status", states.runStatus(s, live)); // dead: its jbox was killed, jbox system prune removes it
        node.put("stateDir", states.dir(s.id()).toString());
        Path config = states.dir(s.id()).resolve(SpecFile.NAME);
        if (Files.exists(config)) {
            try {
                node.set("config", json.readTree(config.toFile()));
            } catch (IOException e) {
                node.put("config", "unreadable: " + IoReason.of(e));
            }
        }
        Path report = states.dir(s.id()).resolve("report.json"); // a detached run's (RunReport.FILE)
        if (Files.exists(report)) {
            try {
                node.set("report", json.readTree(report.toFile()));
            } catch (IOException e) {
                node.put("report", "unreadable: " + IoReason.of(e));
            }
        }
        if (live && s.pid() > 0) {
            // What the kernel says about it now: namespaces and mounts, as /proc shows them.
            ObjectNode ns = node.putObject("namespaces");
            for (String t : NsCommand.TYPES) {
                try {
                    ns.put(t, Files.readSymbolicLink(Path.of("/proc/" + s.pid() + "/ns/" + t)).toString());
                } catch (IOException e) {
                    ns.put(t, "?");
                }
            }
            ArrayNode mounts = node.putArray("mounts");
            try {
                for (String line : ProcFile.read(Path.of("/proc/" + s.pid() + "/mountinfo")).split("\n")) {
                    String[] f = line.split(" ");
                    int dash = Arrays.asList(f).indexOf("-");
                    if (f.length > 4 && dash > 0 && dash + 1 < f.length) {
                        mounts.addObject().put("destination", f[4]).put("type", f[dash + 1]).put("options", f[5]);
                    }
                }
            } catch (IOException e) {
                node.put("mountsError", e.getMessage());
            }
            try {
                String hosts = Files.readString(states.dir(s.id()).resolve("hosts"));
                for (String line : hosts.split("\n")) {
                    if (line.contains(s.shortId()) && !line.startsWith("127.")) {
                        node.put("ipAddress", line.split("\\s+")[0]);
                    }
                }
            } catch (IOException ignored) {
                // no generated hosts file: nothing to say about the address
            }
            ArrayNode ports = node.putArray("ports");
            for (PortMapping p : PortLeases.of(states.root()).of(s.id())) {
                ports.add(p.toString());
            }
        }
        try {
            out().println(json.writeValueAsString(node));
        } catch (IOException e) {
            throw new JboxException("cannot print JSON: " + IoReason.of(e), e);
        }
        return 0;
    }
}
