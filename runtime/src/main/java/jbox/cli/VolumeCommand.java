package jbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.runtime.Volumes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `jbox volume create|ls|rm|inspect`: named volumes (see runtime.Volumes), as docker's. */
@Command(name = "volume", description = "Manage named volumes (run -v NAME:/path).", mixinStandardHelpOptions = true,
        subcommands = {VolumeCommand.Create.class, VolumeCommand.Ls.class, VolumeCommand.Rm.class, VolumeCommand.Inspect.class})
public final class VolumeCommand extends RequestCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(out());
    }

    @Command(name = "create", description = "Create a volume (run -v NAME:/path also does, on first use).",
            mixinStandardHelpOptions = true)
    static final class Create extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws JboxException {
            out().println(new Volumes(config()).create(name).name());
            return 0;
        }
    }

    @Command(name = "ls", description = "List volumes.", mixinStandardHelpOptions = true)
    static final class Ls extends RequestCommand implements Callable<Integer> {
        @CommandLine.Option(names = {"-q", "--quiet"}, description = "Names only.")
        boolean quiet;

        @Override
        public Integer call() throws JboxException {
            List<Volumes.Volume> all = new Volumes(config()).list();
            String format = "%-24s %s%n";
            if (!quiet) {
                out().printf(format, "VOLUME NAME", "USED BY");
            }
            for (Volumes.Volume v : all) {
                if (quiet) {
                    out().println(v.name());
                } else {
                    out().printf(format, v.name(), String.join(",", v.usedBy()));
                }
            }
            return 0;
        }
    }

    @Command(name = "rm", description = "Remove volumes no container uses (their data is deleted).",
            mixinStandardHelpOptions = true)
    static final class Rm extends RequestCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public Integer call() throws JboxException {
            Volumes volumes = new Volumes(config());
            for (String n : names) {
                volumes.remove(n);
                out().println(n);
            }
            return 0;
        }
    }

    @Command(name = "inspect", description = "Show volumes as JSON (docker's fields).", mixinStandardHelpOptions = true)
    static final class Inspect extends RequestCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Override
        public Integer call() throws JboxException {
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode out = json.createArrayNode();
            Volumes volumes = new Volumes(config());
            for (String n : names) {
                Volumes.Volume v = volumes.inspect(n);
                ObjectNode o = out.addObject();
                o.put("Name", v.name());
                o.put("Driver", "local");
                o.put("Mountpoint", v.mountpoint().toString());
                o.put("CreatedAt", v.created());
                o.put("Scope", "local");
                o.putObject("Options");
                o.put("UID", v.uid());
                o.put("GID", v.gid());
                ArrayNode used = o.putArray("UsedBy");
                v.usedBy().forEach(used::add);
            }
            try {
                out().println(json.writeValueAsString(out));
            } catch (JsonProcessingException e) {
                throw new JboxException("cannot write volume JSON: " + e.getOriginalMessage(), e);
            }
            return 0;
        }
    }
}
