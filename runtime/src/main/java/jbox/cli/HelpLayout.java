// How jbox's help reads: one command list for `jbox` and `jbox --help`, run first, whole descriptions, unknown commands named.
package jbox.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

/**
 * The command lists of jbox's help: docker's everyday commands first (run, then ps, logs, exec,
 * ...), the OCI runtime's (runc's verbs) in a group of their own, each description whole and
 * wrapped (picocli's own list shows only a description's first line, which cuts multi-line ones
 * mid-sentence). And the check that turns `jbox frob --help` into "unknown command frob", with
 * the nearest commands, instead of the top-level help.
 */
final class HelpLayout {
    /** The order of the everyday commands; any other comes after them, in registration order. */
    private static final List<String> FIRST = List.of("run", "ps", "logs", "exec", "start", "restart", "stop", "kill", "rm",
            "wait", "attach", "inspect", "top", "stats", "cp", "rename", "port", "diff", "export", "pause", "unpause",
            "image", "pull", "push", "login", "logout", "network", "volume", "system", "ns", "doctor", "engine",
            "completion", "version", "help");
    /** runc's verbs (the OCI CLI podman and containerd call). */
    private static final List<String> OCI = List.of("create", "state", "delete", "list", "resume", "update", "events",
            "checkpoint", "restore", "spec", "features");
    private static final int WIDTH = 80;

    private HelpLayout() {
    }

    /** Gives every command with subcommands this layout of its list. */
    static void apply(CommandLine cli) {
        if (!cli.getSubcommands().isEmpty()) {
            cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST_HEADING, help -> "");
            cli.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST,
                    help -> commandList(help.commandSpec(), cli.getParent() == null));
        }
        for (CommandLine sub : distinct(cli)) {
            apply(sub);
        }
    }

    private static List<CommandLine> distinct(CommandLine cli) {
        List<CommandLine> out = new ArrayList<>();
        for (CommandLine c : cli.getSubcommands().values()) {
            if (!out.contains(c)) {
                out.add(c); // aliases map to the same CommandLine
            }
        }
        return out;
    }

    static String commandList(CommandSpec spec, boolean top) {
        // by the names they are registered under (run's model is a bare spec named "jbox run")
        Map<String, CommandLine> subs = new LinkedHashMap<>();
        Map<CommandLine, List<String>> names = new HashMap<>();
        for (Map.Entry<String, CommandLine> e : spec.commandLine().getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            if (!names.containsKey(e.getValue())) {
                subs.put(e.getKey(), e.getValue());
            }
            names.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
        }
        List<String> everyday = new ArrayList<>();
        List<String> oci = new ArrayList<>();
        if (top) {
            FIRST.stream().filter(subs::containsKey).forEach(everyday::add);
            OCI.stream().filter(subs::containsKey).forEach(oci::add);
        }
        subs.keySet().stream().filter(n -> !everyday.contains(n) && !oci.contains(n)).forEach(everyday::add);
        int widest = 0;
        for (CommandLine c : subs.values()) {
            widest = Math.max(widest, String.join(", ", names.get(c)).length());
        }
        int nameWidth = widest;
        StringBuilder out = new StringBuilder("Commands:\n");
        everyday.forEach(n -> row(out, String.join(", ", names.get(subs.get(n))), subs.get(n).getCommandSpec(), nameWidth));
        if (!oci.isEmpty()) {
            out.append("\nOCI runtime commands (runc's, on bundles; podman and containerd call these):\n");
            oci.forEach(n -> row(out, String.join(", ", names.get(subs.get(n))), subs.get(n).getCommandSpec(), nameWidth));
        }
        if (top) {
            out.append("\nRun 'jbox help COMMAND' or 'jbox COMMAND --help' for a command's options.\n");
        }
        return out.toString();
    }

    /** A description as one paragraph (picocli's %n line breaks too). */
    static String description(CommandSpec s) {
        return String.join(" ", s.usageMessage().description()).replace("%n", " ").replace("%%", "%").replaceAll("\\s+", " ").trim();
    }

    /** One command: its names, then its whole description wrapped under itself. */
    private static void row(StringBuilder out, String names, CommandSpec s, int nameWidth) {
        String text = description(s);
        String indent = " ".repeat(2 + nameWidth + 2);
        StringBuilder line = new StringBuilder("  " + names + " ".repeat(nameWidth - names.length() + 2));
        boolean first = true;
        for (String word : text.split(" ")) {
            if (!first && line.length() + 1 + word.length() > WIDTH) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(indent);
                first = true;
            }
            if (!first) {
                line.append(' ');
            }
            line.append(word);
            first = false;
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /**
     * An unknown command where a command is expected (`jbox frob`, `jbox frob --help`, `jbox image
     * frob`): the error line, with the nearest commands; null when the arguments name commands
     * picocli can take from there.
     */
    static String unknownCommand(CommandLine cli, String[] args) {
        CommandLine at = cli;
        for (String a : args) {
            if (a.startsWith("-") || at.getSubcommands().isEmpty()) {
                return null;
            }
            CommandLine next = at.getSubcommands().get(a);
            if (next == null) {
                if (!at.getCommandSpec().positionalParameters().isEmpty()) {
                    return null;
                }
                String where = at.getParent() == null ? "" : " of " + at.getCommandSpec().qualifiedName();
                List<String> near = nearest(a, at.getSubcommands().keySet());
                return "unknown command " + a + where + (near.isEmpty() ? "" : " (did you mean " + String.join(" or ", near) + "?)")
                        + " (see: " + at.getCommandSpec().qualifiedName() + " --help)";
            }
            at = next;
        }
        return null;
    }

    /** The commands nearest to {@code typed}: one edit away (two for longer words), or starting with it. */
    static List<String> nearest(String typed, Collection<String> names) {
        int limit = typed.length() >= 6 ? 2 : 1;
        int best = Integer.MAX_VALUE;
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (n.startsWith("internal-")) {
                continue;
            }
            int d = n.startsWith(typed) && typed.length() >= 2 ? 1 : distance(typed, n);
            if (d > limit || d > best) {
                continue;
            }
            if (d < best) {
                out.clear();
                best = d;
            }
            out.add(n);
        }
        return out.size() > 3 ? out.subList(0, 3) : out;
    }

    /** Levenshtein distance, with a swap of two neighbours as one edit ("sotp" is one from "stop"). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
