package jbox.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.oci.OciLifecycle;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.spec.ContainerSpec;
import jbox.spec.OciConfig;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import jbox.state.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The OCI runtime CLI, as runc spells it: create, start, state, delete, list, and run with a
 * bundle (kill and exec are shared with the docker-like commands: see SignalCommands, ExecCommand).
 * Containers live under --root (oci.root), apart from `jbox run IMAGE`'s.
 */
final class OciCommands {
    private OciCommands() {
    }

    /** The lifecycle for r's --root and configuration; JBOX_TIMINGS=1 times its phases (runner().timings()). */
    static OciLifecycle lifecycle(Request r) throws JboxException {
        Config config = r.config();
        return new OciLifecycle(StateStore.ofOci(r.flags().ociRoot(config)),
                new ContainerRunner(ShimLocator.find(config), Main.timings(r), r.caller()), new ContainerCgroups(config),
                config.stateRoot());
    }

    /** True when id names a container of the OCI CLI (kill and exec serve both kinds). */
    static boolean isOci(Request r, String id) throws JboxException {
        return StateStore.isValidId(id) && Files.isDirectory(r.flags().ociRoot(r.config()).resolve(id));
    }

    @Command(name = "create", description = "Create a container from an OCI bundle; its process waits for `start`.",
            mixinStandardHelpOptions = true)
    static final class Create extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle (config.json, rootfs); default: the current directory.")
        Path bundle = Path.of(".");

        @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container's pid there.")
        Path pidFile;

        @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Send the terminal's master there (process.terminal).")
        String consoleSocket;

        @Option(names = "--no-pivot", description = "Accepted for runc compatibility; jbox always uses pivot_root.")
        boolean noPivot;

        @Option(names = "--no-new-keyring", description = "Accepted for runc compatibility (jbox makes no session keyring).")
        boolean noNewKeyring;

        @Option(names = "--preserve-fds", paramLabel = "N", description = "Not supported beyond 0.")
        int preserveFds;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            if (preserveFds != 0) {
                throw new JboxException("--preserve-fds " + preserveFds + " is not supported");
            }
            Path b = request.resolve(bundle).normalize();
            OciLifecycle l = lifecycle(request);
            Timings timings = l.runner().timings();
            timings.mark("parse_and_setup");
            ContainerSpec spec = OciConfig.read(b, path -> ignoredProperty(request, path));
            timings.mark("config_read");
            try {
                l.create(id, b, spec, request.resolve(pidFile), consoleSocket);
            } finally {
                timings.print();
            }
            return 0;
        }
    }

    @Command(name = "start", description = "Start the process of a created container.", mixinStandardHelpOptions = true)
    static final class Start extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            lifecycle(request).start(id);
            return 0;
        }
    }

    @Command(name = "state", description = "Print a container's state as the OCI runtime spec defines it.",
            mixinStandardHelpOptions = true)
    static final class State extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            out().println(lifecycle(request).state(id));
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a stopped (or, with --force, any) container.", mixinStandardHelpOptions = true)
    static final class Delete extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-f", "--force"}, description = "Kill the container first if it still runs.")
        boolean force;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            lifecycle(request).delete(id, force);
            return 0;
        }
    }

    @Command(name = "list", description = "List the containers of the OCI CLI (under --root).", mixinStandardHelpOptions = true)
    static final class ListCommand extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-f", "--format"}, paramLabel = "table|json", description = "Output format (default table).")
        String format = "table";

        @Option(names = {"-q", "--quiet"}, description = "Print the ids only.")
        boolean quiet;

        @Override
        public Integer call() throws JboxException {
            if (!format.equals("table") && !format.equals("json")) {
                throw new JboxException("invalid --format " + format + " (use table or json)");
            }
            OciLifecycle l = lifecycle(request);
            List<String> states = new ArrayList<>();
            if (!quiet && format.equals("table")) {
                out().printf("%-24s %-8s %-9s %-40s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
            }
            for (String id : l.store().ids()) {
                ContainerRecord s;
                try {
                    s = l.store().load(id);
                } catch (JboxException gone) {
                    continue; // deleted meanwhile
                }
                Status status = l.status(s);
                if (quiet) {
                    out().println(id);
                } else if (format.equals("json")) {
                    states.add(OciLifecycle.stateJson(s, status).replaceAll("\\s*\\n\\s*", " "));
                } else {
                    out().printf("%-24s %-8d %-9s %-40s %s%n", id, status == Status.STOPPED ? 0 : s.pid(),
                            status.word(), s.bundle(), s.created());
                }
            }
            if (format.equals("json") && !quiet) {
                out().println("[" + String.join(",", states) + "]");
            }
            return 0;
        }
    }

    /** `jbox run --bundle DIR ID` (or any global flag first): runc's run, create + start + wait + delete. */
    @Command(name = "run", description = "Create and start a container from an OCI bundle; wait for it unless --detach.",
            mixinStandardHelpOptions = true)
    static final class Run extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-b", "--bundle"}, paramLabel = "DIR", description = "The bundle; default: the current directory.")
        Path bundle = Path.of(".");

        @Option(names = {"-d", "--detach"}, description = "Return once the process runs.")
        boolean detach;

        @Option(names = "--pid-file", paramLabel = "FILE", description = "Write the container's pid there.")
        Path pidFile;

        @Option(names = "--console-socket", paramLabel = "SOCKET", description = "Send the terminal's master there.")
        String consoleSocket;

        @Option(names = {"--no-pivot", "--no-new-keyring"}, description = "Accepted for runc compatibility.")
        boolean ignored;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            Path b = request.resolve(bundle).normalize();
            OciLifecycle l = lifecycle(request);
            Path pf = request.resolve(pidFile);
            if (detach) {
                l.create(id, b, OciConfig.read(b, path -> ignoredProperty(request, path)), pf, consoleSocket);
                l.start(id);
                return 0;
            }
            request.signals().forward(l.runner()::forwardSignal);
            return l.runAttached(id, b, OciConfig.read(b, path -> ignoredProperty(request, path)), pf, consoleSocket);
        }
    }

    /** An unknown config.json property: ignored as the runtime-spec requires, named under --debug. */
    static void ignoredProperty(Request r, String path) {
        // A known property jbox ignores comes as "path: why"; an unknown one as its bare path.
        r.flags().logDebug("config.json: ignoring " + (path.contains(": ") ? path : "unknown property " + path), r.err());
    }
}
