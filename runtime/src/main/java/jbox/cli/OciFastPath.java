package jbox.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The OCI CLI's calls that podman and containerd make for every container — create, start,
 * state, kill, delete (and pause, resume) — in the exact shapes they use, parsed without picocli (~70 ms a call:
 * its model is built by reflection and its classes cannot be archived). The parsed values fill
 * the same command objects picocli would, so the commands' logic lives in one place; anything
 * else (--help, an unknown option, a missing id) returns null and goes through picocli, with its
 * messages.
 */
final class OciFastPath {
    private OciFastPath() {
    }

    /** The exit code, or null when picocli should handle these arguments. */
    static Integer tryRun(Request r, String[] args) throws Exception {
        Callable<Integer> cmd = parse(args);
        if (cmd == null) {
            return null;
        }
        ((RequestCommand) cmd).request = r;
        return cmd.call();
    }

    static Callable<Integer> parse(String[] args) {
        if (args.length < 2) {
            return null;
        }
        Args a = new Args(args);
        switch (args[0]) {
            case "create" -> {
                OciCommands.Create c = new OciCommands.Create();
                while (a.option()) {
                    switch (a.name()) {
                        case "-b", "--bundle" -> c.bundle = a.path();
                        case "--pid-file" -> c.pidFile = a.path();
                        case "--console-socket" -> c.consoleSocket = a.value();
                        case "--no-pivot" -> c.noPivot = a.flag();
                        case "--no-new-keyring" -> c.noNewKeyring = a.flag();
                        default -> a.fail();
                    }
                }
                c.id = a.lastPositional();
                return a.ok() ? c : null;
            }
            case "start", "state", "pause", "resume" -> {
                String id = a.lastPositional();
                if (!a.ok()) {
                    return null;
                }
                if (args[0].equals("pause")) {
                    OciVerbCommands.Pause c = new OciVerbCommands.Pause();
                    c.id = id;
                    return c;
                }
                if (args[0].equals("resume")) {
                    OciVerbCommands.Resume c = new OciVerbCommands.Resume();
                    c.id = id;
                    return c;
                }
                if (args[0].equals("start")) {
                    OciCommands.Start c = new OciCommands.Start();
                    c.id = id;
                    return c;
                }
                OciCommands.State c = new OciCommands.State();
                c.id = id;
                return c;
            }
            case "delete" -> {
                OciCommands.Delete c = new OciCommands.Delete();
                while (a.option()) {
                    switch (a.name()) {
                        case "-f", "--force" -> c.force = a.flag();
                        default -> a.fail();
                    }
                }
                c.id = a.lastPositional();
                return a.ok() ? c : null;
            }
            case "kill" -> {
                SignalCommands.Kill c = new SignalCommands.Kill();
                while (a.option()) {
                    switch (a.name()) {
                        case "-a", "--all" -> c.all = a.flag();
                        default -> a.fail();
                    }
                }
                List<String> rest = a.rest();
                if (rest.isEmpty() || rest.size() > 2 || rest.stream().anyMatch(s -> s.startsWith("-")) || !a.ok()) {
                    return null;
                }
                c.refs = rest; // ID [SIGNAL], or two containers of jbox run: Kill tells them apart
                return c;
            }
            default -> {
                return null;
            }
        }
    }

    /** A cursor over the arguments after the command; any surprise makes ok() false. */
    private static final class Args {
        private final String[] args;
        private int i = 1;
        private boolean ok = true;
        private String name;
        private String inline;

        Args(String[] args) {
            this.args = args;
        }

        boolean option() {
            if (i >= args.length || !args[i].startsWith("-") || args[i].equals("-")) {
                return false;
            }
            String a = args[i++];
            int eq = a.indexOf('=');
            name = eq > 0 && a.startsWith("--") ? a.substring(0, eq) : a;
            inline = eq > 0 && a.startsWith("--") ? a.substring(eq + 1) : null;
            return ok;
        }

        String name() {
            return name;
        }

        String value() {
            if (inline != null) {
                return inline;
            }
            if (i >= args.length) {
                ok = false;
                return null;
            }
            return args[i++];
        }

        Path path() {
            String v = value();
            return v == null ? null : Path.of(v);
        }

        boolean flag() {
            if (inline != null) {
                ok = false;
            }
            return true;
        }

        void fail() {
            ok = false;
        }

        /** Exactly one argument left, not an option: the container id. */
        String lastPositional() {
            if (i != args.length - 1 || args[i].startsWith("-")) {
                ok = false;
                return null;
            }
            return args[i++];
        }

        List<String> rest() {
            List<String> r = List.of(args).subList(i, args.length);
            i = args.length;
            return r;
        }

        boolean ok() {
            return ok;
        }
    }
}
