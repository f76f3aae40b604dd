package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerStop;
import jbox.state.ContainerRecord;
import jbox.state.StateJson;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * `jbox ps`: containers of `jbox run`, as docker lists them (CONTAINER ID, IMAGE, COMMAND, CREATED,
 * STATUS, PORTS, NAMES; -a, -q, -n, -l, --filter, --no-trunc, --format TEMPLATE|json). `jbox ps
 * ID` is runc's: the pids of an OCI container.
 */
@Command(name = "ps", description = "List containers (running ones; -a for all).", mixinStandardHelpOptions = true)
public final class PsCommand extends RequestCommand implements Callable<Integer> {
    static final String DEFAULT_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    @Option(names = {"-a", "--all"}, description = "Show stopped containers too.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Only the container IDs.")
    boolean quiet;

    @Option(names = {"-n", "--last"}, paramLabel = "N", description = "The N most recently created containers (any state).")
    int last = -1;

    @Option(names = {"-l", "--latest"}, description = "The most recently created container (any state).")
    boolean latest;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "Only matching containers: name=, status=, label=KEY[=VALUE], ancestor=IMAGE, id= (repeatable).")
    List<String> filters = new ArrayList<>();

    @Option(names = "--no-trunc", description = "Full IDs and commands.")
    boolean noTrunc;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "table (default), json, or a Go template: '{{.ID}} {{.Names}}', 'table {{.Names}}\\t{{.Status}}'.")
    String format;

    @CommandLine.Parameters(index = "0", arity = "0..1", paramLabel = "ID",
            description = "OCI CLI (runc ps): the processes of that container, as pids.")
    String ociId;

    @Override
    public Integer call() throws JboxException {
        if (ociId != null) {
            return ociPids();
        }
        Config config = config();
        StateStore states = StateStore.ofRun(config.stateRoot());
        Map<String, List<String>> where = filters();
        ContainerStop stop = new ContainerStop(states, new ContainerCgroups(config));
        Instant now = Instant.now();
        List<ContainerRecord> records = states.list(); // oldest first
        int keep = latest ? 1 : last;
        if (keep >= 0) {
            records = records.subList(Math.max(0, records.size() - keep), records.size());
        }
        List<ContainerView> shown = new ArrayList<>();
        for (int i = records.size() - 1; i >= 0; i--) { // newest first, as docker
            ContainerRecord s = records.get(i);
            ContainerView v = new ContainerView(states, s, ContainerView.paused(states, stop, s));
            boolean anyState = all || keep >= 0 || where.containsKey("status");
            // docker's ps without -a: running ones (paused too), not created ones, whose pid is 0
            if ((anyState || v.running()) && matches(v, where)) {
                shown.add(v);
            }
        }
        if (quiet) {
            shown.forEach(v -> out().println(noTrunc ? v.record.id() : v.record.shortId()));
            return 0;
        }
        String f = format == null || format.equals("table") ? DEFAULT_TABLE : format;
        if (f.equals("json")) {
            ArrayNode rows = new ObjectMapper().createArrayNode();
            shown.forEach(v -> rows.add(v.row(now, noTrunc)));
            out().println(rows.toPrettyString());
            return 0;
        }
        List<ObjectNode> rows = new ArrayList<>();
        shown.forEach(v -> rows.add(v.row(now, noTrunc)));
        out().print(Table.render(f, rows, PsCommand::header));
        return 0;
    }

    /** docker's column titles for ps's fields. */
    static String header(String field) {
        return switch (field) {
            case "ID" -> "CONTAINER ID";
            case "RunningFor" -> "CREATED";
            case "CreatedAt" -> "CREATED AT";
            default -> field.toUpperCase(Locale.ROOT);
        };
    }

    /** runc's `ps ID`: its -f/--format is table or json. */
    private int ociPids() throws JboxException {
        String f = format != null ? format : filters.size() == 1 ? filters.get(0) : "table";
        if (!f.equals("table") && !f.equals("json")) {
            throw new JboxException("unknown --format " + f + " for the pids of an OCI container (use table or json)");
        }
        List<Long> pids = OciCommands.lifecycle(request).pids(ociId);
        if (f.equals("json")) {
            out().println(pids.toString().replace(" ", ""));
        } else {
            pids.forEach(out()::println);
        }
        return 0;
    }

    private Map<String, List<String>> filters() throws JboxException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String f : filters) {
            int eq = f.indexOf('=');
            String key = eq < 0 ? f : f.substring(0, eq);
            if (eq < 0 || !List.of("name", "status", "label", "ancestor", "id").contains(key)) {
                throw new JboxException("invalid filter " + f + ": use name=, status=, label=KEY[=VALUE], ancestor=IMAGE or id=");
            }
            String value = f.substring(eq + 1);
            if (key.equals("status") && !List.of("created", "running", "paused", "exited", "dead", "restarting", "removing")
                    .contains(value)) {
                throw new JboxException("invalid filter " + f + ": status is one of created, running, paused, exited, dead");
            }
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return out;
    }

    /** docker's rule: values of one key are alternatives, different keys must all match. */
    static boolean matches(ContainerView v, Map<String, List<String>> where) {
        for (Map.Entry<String, List<String>> e : where.entrySet()) {
            boolean any = false;
            for (String value : e.getValue()) {
                any |= switch (e.getKey()) {
                    case "name" -> nameMatches(v.name(), value);
                    case "status" -> v.status.equals(value);
                    case "id" -> v.record.id().startsWith(value);
                    case "ancestor" -> sameImage(v.record.image(), value);
                    default -> labelMatches(v.labels(), value);
                };
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** docker matches names as a regular expression (a part of the name); a plain word is a substring. */
    private static boolean nameMatches(String name, String pattern) {
        try {
            return Pattern.compile(pattern).matcher(name).find();
        } catch (PatternSyntaxException e) {
            return name.contains(pattern);
        }
    }

    private static boolean labelMatches(Map<String, String> labels, String value) {
        int eq = value.indexOf('=');
        return eq < 0 ? labels.containsKey(value) : value.substring(eq + 1).equals(labels.get(value.substring(0, eq)));
    }

    /** busybox and busybox:latest are one image. */
    static boolean sameImage(String image, String ref) {
        if (image == null) {
            return false;
        }
        return strip(image).equals(strip(ref));
    }

    private static String strip(String ref) {
        return ref.endsWith(":latest") ? ref.substring(0, ref.length() - 7) : ref;
    }
}
