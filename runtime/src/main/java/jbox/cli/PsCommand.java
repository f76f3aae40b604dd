package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.state.ContainerRecord;
import jbox.state.StateJson;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** `jbox ps [-a]`: containers from the state directory. */
@Command(name = "ps", description = "List containers.", mixinStandardHelpOptions = true)
public final class PsCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = {"-a", "--all"}, description = "Show stopped containers too.")
    boolean all;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", description = "table (default) or json.")
    String format = "table";

    @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "ID",
            description = "OCI CLI (runc ps): the processes of that container, as pids.")
    String ociId;

    @Override
    public Integer call() throws JboxException {
        if (ociId != null) {
            List<Long> pids = OciCommands.lifecycle(request).pids(ociId);
            if (format.equals("json")) {
                out().println(pids.toString().replace(" ", ""));
            } else {
                pids.forEach(out()::println);
            }
            return 0;
        }
        StateStore states = StateStore.ofRun(config().stateRoot());
        if (!format.equals("table") && !format.equals("json")) {
            throw new JboxException("unknown --format " + format + " (use table or json)");
        }
        ObjectMapper json = new ObjectMapper();
        ArrayNode rows = json.createArrayNode();
        if (format.equals("table")) {
            out().printf("%-12s  %-12s  %-10s  %-9s  %s%n", "CONTAINER ID", "IMAGE", "STATUS", "PID", "NAME");
        }
        for (ContainerRecord s : states.list()) {
            boolean live = states.isOwned(s.id());
            String status = states.runStatus(s, live) + (!live && s.exitCode() != null ? "(" + s.exitCode() + ")" : "");
            if (!all && !live) {
                continue;
            }
            if (format.equals("json")) {
                ObjectNode row = recorded(json, s);
                row.put("status", status);
                rows.add(row);
                continue;
            }
            out().printf("%-12s  %-12s  %-10s  %-9s  %s%n", s.shortId(), s.image(), status,
                    s.pid() == 0 ? "-" : Long.toString(s.pid()), s.name() == null ? "" : s.name());
        }
        if (format.equals("json")) {
            out().println(rows.toPrettyString());
        }
        return 0;
    }

    /** The record as state.json has it. */
    static ObjectNode recorded(ObjectMapper json, ContainerRecord s)
            throws JboxException {
        try {
            return (ObjectNode) json.readTree(StateJson.write(s));
        } catch (IOException e) {
            throw new JboxException("cannot print the state of " + s.id() + ": " + IoReason.of(e), e);
        }
    }
}
