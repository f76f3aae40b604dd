package jbox.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The options of `jbox run`, defined once. `jbox run` is the start-up hot path, and picocli costs
 * ~70 ms there (its classes predate Java 6 and cannot go into the class-data archive; its model is
 * built by reflection), so this table is parsed directly; picocli renders the same table as
 * `jbox run --help` and in `jbox --help`. Everything after IMAGE belongs to the command.
 */
final class RunFlags {
    enum Kind { SWITCH, VALUE, REPEATED }

    record Flag(List<String> names, Kind kind, String label, String description) {
        String key() {
            return names.get(names.size() - 1);
        }
    }

    static final List<Flag> ALL = List.of(
            new Flag(List.of("--rm"), Kind.SWITCH, null, "Remove the container's files when it exits."),
            new Flag(List.of("-d", "--detach"), Kind.SWITCH, null, "Run in the background: print the id and return; output goes to jbox logs."),
            new Flag(List.of("-t", "--tty"), Kind.SWITCH, null, "Give the command a terminal (raw mode, window size, Ctrl-C to the container)."),
            new Flag(List.of("-i", "--interactive"), Kind.SWITCH, null, "Keep stdin open (in the foreground it always is; with -d, a pipe jbox attach feeds; with -t it needs a terminal on stdin, as docker's -it)."),
            new Flag(List.of("--name"), Kind.VALUE, "NAME", "Name the container."),
            new Flag(List.of("--hostname"), Kind.VALUE, "HOST", "Hostname inside the container (default: short id)."),
            new Flag(List.of("-e", "--env"), Kind.REPEATED, "K=V", "Set an environment variable (K alone copies jbox's)."),
            new Flag(List.of("--env-file"), Kind.REPEATED, "FILE", "Read environment variables from a file (docker's format: K=V or K per line, # comments)."),
            new Flag(List.of("-w", "--workdir"), Kind.VALUE, "DIR", "Working directory inside the container (created if missing)."),
            new Flag(List.of("-u", "--user"), Kind.VALUE, "USER[:GROUP]", "User and group, by id or by name in the image's /etc/passwd and /etc/group."),
            new Flag(List.of("--group-add"), Kind.REPEATED, "GROUP", "An additional group (id or name in the image's /etc/group)."),
            new Flag(List.of("--entrypoint"), Kind.VALUE, "CMD", "Replace the image's entrypoint (and its default command); '' clears it."),
            new Flag(List.of("-l", "--label"), Kind.REPEATED, "K=V", "Label the container (kept in its record; see jbox inspect)."),
            new Flag(List.of("--net", "--network"), Kind.VALUE, "MODE", "Network: bridge (default), none, host, container:NAME|ID, ns:NAME (ip netns) or a jbox network."),
            new Flag(List.of("-p", "--publish"), Kind.REPEATED, "[[IP:]HOST:]CONT[/udp]", "Publish a container port on the host's addresses (bridge networks; no HOST: a free one)."),
            new Flag(List.of("-P", "--publish-all"), Kind.SWITCH, null, "Publish every port the image EXPOSEs on a free host port."),
            new Flag(List.of("--add-host"), Kind.REPEATED, "NAME:IP", "Add a line to the container's /etc/hosts."),
            new Flag(List.of("--dns"), Kind.REPEATED, "IP", "A nameserver for the container's /etc/resolv.conf (replaces the host's)."),
            new Flag(List.of("--userns"), Kind.VALUE, "MODE", "User namespace: private (default) or host."),
            new Flag(List.of("--cap-add"), Kind.REPEATED, "CAP", "Add a capability (or ALL)."),
            new Flag(List.of("--cap-drop"), Kind.REPEATED, "CAP", "Drop a capability (or ALL)."),
            new Flag(List.of("--security-opt"), Kind.REPEATED, "OPT", "seccomp=FILE or seccomp=unconfined."),
            new Flag(List.of("--privileged"), Kind.SWITCH, null, "Turn protections off: every capability, no seccomp, no masked or read-only /proc and /sys paths, the host's devices (still in a user namespace unless --userns host)."),
            new Flag(List.of("--device"), Kind.REPEATED, "HOST[:CONT[:PERMS]]", "Give the container a host device (PERMS: r, w, m; default rwm)."),
            new Flag(List.of("--read-only"), Kind.SWITCH, null, "Mount the root filesystem read-only."),
            new Flag(List.of("--tmpfs"), Kind.REPEATED, "PATH[:OPTS]", "Mount a tmpfs at PATH."),
            new Flag(List.of("--shm-size"), Kind.VALUE, "SIZE", "Size of /dev/shm, e.g. 256m (default 64m)."),
            new Flag(List.of("-v", "--volume"), Kind.REPEATED, "SRC:CONT[:OPTS]",
                    "Bind-mount a host path (/abs, ./rel) or a named volume; OPTS: ro, U (chown), idmap (default), noidmap, z, Z."),
            new Flag(List.of("--mount"), Kind.REPEATED, "type=TYPE,...",
                    "docker's long form of -v and --tmpfs: type=bind,source=HOST,target=CONT[,readonly];"
                    + " type=volume,source=NAME,target=CONT[,readonly]; type=tmpfs,target=CONT[,tmpfs-size=BYTES][,tmpfs-mode=OCTAL]."
                    + " A bind source must exist."),
            new Flag(List.of("--ulimit"), Kind.REPEATED, "NAME=SOFT[:HARD]", "Set a resource limit (nofile, nproc, fsize, ...)."),
            new Flag(List.of("-m", "--memory"), Kind.VALUE, "SIZE", "Memory limit, e.g. 512m."),
            new Flag(List.of("--memory-swap"), Kind.VALUE, "SIZE", "Memory plus swap limit (-1: unlimited swap)."),
            new Flag(List.of("--pids-limit"), Kind.VALUE, "N", "Maximum number of processes."),
            new Flag(List.of("--cpus"), Kind.VALUE, "N", "CPU limit, e.g. 0.5."),
            new Flag(List.of("--cpu-shares"), Kind.VALUE, "N", "Relative CPU weight (2..262144)."),
            new Flag(List.of("--cpu-time"), Kind.VALUE, "DURATION", "CPU time limit for the whole container, e.g. 30s."),
            new Flag(List.of("--timeout"), Kind.VALUE, "DURATION", "Wall-clock limit: SIGTERM, then SIGKILL after a grace."),
            new Flag(List.of("--sandbox"), Kind.SWITCH, null, "For untrusted tools: no network, read-only root, no capabilities, tight limits."),
            new Flag(List.of("--report"), Kind.VALUE, "FILE", "Write a JSON report of how the run ended."),
            new Flag(List.of("--restart"), Kind.VALUE, "POLICY", "Start a detached container again when it exits: no (default), on-failure[:N], always, unless-stopped."),
            new Flag(List.of("--init"), Kind.SWITCH, null, "Run a minimal init as PID 1: it forwards signals and reaps zombies."),
            new Flag(List.of("--pull"), Kind.VALUE, "POLICY", "Pull the image: missing (default; names with a registry, a /path or a digest), always or never."),
            new Flag(List.of("--timings"), Kind.SWITCH, null, "Print per-phase start times as JSON on stderr."),
            new Flag(List.of("--dry-run"), Kind.SWITCH, null, "Print the container's OCI config.json instead of running it."),
            new Flag(List.of("--format"), Kind.VALUE, "FORMAT", "With --dry-run: the output format; json (the default and only one)."),
            new Flag(List.of("-h", "--help"), Kind.SWITCH, null, "Show this help message and exit."));

    /** Parsed arguments: values by the flag's long name, then IMAGE and CMD. */
    record Parsed(Map<String, List<String>> values, String image, List<String> command) {
        boolean has(String key) {
            return values.containsKey(key);
        }

        String value(String key) {
            List<String> v = values.get(key);
            return v == null ? null : v.get(v.size() - 1);
        }

        List<String> all(String key) {
            return values.getOrDefault(key, List.of());
        }
    }

    private RunFlags() {
    }

    static Parsed parse(List<String> args) throws JboxException {
        Map<String, List<String>> values = new HashMap<>();
        int i = 0;
        while (i < args.size() && args.get(i).startsWith("-") && !args.get(i).equals("-")) {
            String arg = args.get(i++);
            if (arg.equals("--")) {
                break;
            }
            if (arg.matches("-[a-zA-Z]{2,}") && find(arg) == null) {
                // docker's bundled switches: -it, -dit
                for (char c : arg.substring(1).toCharArray()) {
                    Flag f = find("-" + c);
                    if (f == null || f.kind() != Kind.SWITCH) {
                        throw new JboxException("unknown option " + arg + " for run (see: jbox run --help)");
                    }
                    values.computeIfAbsent(f.key(), k -> new ArrayList<>()).add("true");
                }
                continue;
            }
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            Flag flag = find(name);
            if (flag == null) {
                throw new JboxException("unknown option " + name + " for run (see: jbox run --help)");
            }
            List<String> list = values.computeIfAbsent(flag.key(), k -> new ArrayList<>());
            if (flag.kind() == Kind.SWITCH) {
                if (eq > 0) {
                    throw new JboxException("option " + name + " takes no value");
                }
                list.add("true");
            } else if (eq > 0) {
                list.add(arg.substring(eq + 1));
            } else if (i < args.size()) {
                list.add(args.get(i++));
            } else {
                throw new JboxException("option " + name + " needs a value: " + flag.label());
            }
        }
        if (values.containsKey("--help")) {
            return new Parsed(values, null, List.of());
        }
        if (i >= args.size()) {
            throw new JboxException("run needs an IMAGE (see: jbox image ls)");
        }
        return new Parsed(values, args.get(i), List.copyOf(args.subList(i + 1, args.size())));
    }

    private static Flag find(String name) {
        for (Flag f : ALL) {
            if (f.names().contains(name)) {
                return f;
            }
        }
        return null;
    }

    /** The same options as a picocli model, for help texts only. */
    static CommandSpec helpSpec() {
        CommandSpec spec = CommandSpec.create().name("jbox run");
        spec.usageMessage().description("Run a command in a new container.");
        for (Flag f : ALL) {
            OptionSpec.Builder b = OptionSpec.builder(f.names().toArray(new String[0])).description(f.description());
            if (f.kind() == Kind.SWITCH) {
                b.arity("0").type(boolean.class);
            } else {
                b.arity("1").paramLabel(f.label()).type(String.class);
            }
            spec.addOption(b.build());
        }
        spec.addPositional(PositionalParamSpec.builder().index("0").paramLabel("IMAGE").type(String.class)
                .description("Image name (see: jbox image ls).").build());
        spec.addPositional(PositionalParamSpec.builder().index("1..*").paramLabel("CMD").type(String[].class)
                .description("Command and arguments (default: the image's).").build());
        return spec;
    }
}
