// The Containerfile subset `jbox build` reads: FROM, RUN, COPY, ENV, WORKDIR, USER, ENTRYPOINT, CMD.
package jbox.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed Containerfile (Dockerfile): pure, nothing runs here, so every error — an unknown
 * instruction, a missing argument — is found before the first step. Lines ending in a backslash
 * go on on the next line (blank and comment lines inside are dropped, as docker does); {@code #} starts a
 * comment only at the beginning of a line. RUN, ENTRYPOINT and CMD take the exec form (a JSON
 * array of strings) or the shell form ({@code /bin/sh -c "TEXT"}); COPY takes either too.
 * ENV, WORKDIR, USER and COPY take {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-word}} and
 * {@code ${VAR:+word}} from the build's environment at that step ({@link Instruction#expanded}),
 * as docker does ({@code \$} and '…' keep a literal {@code $}); RUN's shell form is left to the
 * shell. Flags ({@code --chown}, {@code --from}) and stages ({@code FROM x AS y}) are not part of
 * the subset and are refused by line.
 */
public record Containerfile(List<Instruction> instructions) {

    /** The instructions jbox builds. */
    public enum Kind { FROM, RUN, COPY, ENV, WORKDIR, USER, ENTRYPOINT, CMD }

    /**
     * One instruction.
     *
     * @param line the file's line (1-based) it starts on
     * @param args FROM, WORKDIR, USER: one value; RUN, ENTRYPOINT, CMD: the argv (shell form:
     *             {@code /bin/sh -c TEXT}); COPY: the sources then the destination; ENV: KEY=VALUE entries
     * @param text the instruction as written, continuations joined (for progress lines and history)
     */
    public record Instruction(int line, Kind kind, List<String> args, String text) {
        public Instruction {
            args = List.copyOf(args);
        }

        /** The arguments with the build's variables replaced (ENV, WORKDIR, USER, COPY; the others' as they are). */
        public List<String> expanded(Map<String, String> env) throws ImageException {
            if (kind != Kind.ENV && kind != Kind.WORKDIR && kind != Kind.USER && kind != Kind.COPY) {
                return args;
            }
            return arguments(line, kind, text.substring(kind.name().length()).strip(), env);
        }
    }

    public Containerfile {
        instructions = List.copyOf(instructions);
    }

    public static Containerfile parse(String content) throws ImageException {
        List<Instruction> out = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        StringBuilder logical = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) { // inside a continuation too, as docker
                continue;
            }
            if (logical == null) {
                logical = new StringBuilder();
                start = i + 1;
            }
            String stripped = line.stripTrailing();
            if (stripped.endsWith("\\")) {
                logical.append(stripped, 0, stripped.length() - 1);
                continue;
            }
            logical.append(line);
            out.add(instruction(start, logical.toString().strip()));
            logical = null;
        }
        if (logical != null && !logical.toString().isBlank()) {
            out.add(instruction(start, logical.toString().strip()));
        }
        if (out.isEmpty()) {
            throw new ImageException("Containerfile has no instructions (it must start with FROM)");
        }
        if (out.get(0).kind() != Kind.FROM) {
            throw error(out.get(0).line(), "the first instruction must be FROM, not " + out.get(0).kind());
        }
        for (Instruction in : out.subList(1, out.size())) {
            if (in.kind() == Kind.FROM) {
                throw error(in.line(), "a second FROM (multi-stage builds are not supported)");
            }
        }
        return new Containerfile(out);
    }

    private static Instruction instruction(int line, String text) throws ImageException {
        int space = indexOfSpace(text);
        String word = space < 0 ? text : text.substring(0, space);
        String rest = space < 0 ? "" : text.substring(space).strip();
        Kind kind;
        try {
            kind = Kind.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(line, "unknown instruction " + word
                    + " (jbox build knows FROM, RUN, COPY, ENV, WORKDIR, USER, ENTRYPOINT, CMD)");
        }
        if (rest.isEmpty()) {
            throw error(line, kind + " needs an argument");
        }
        return new Instruction(line, kind, arguments(line, kind, rest, null), kind + " " + rest);
    }

    /** {@code env}: the variables to replace; null keeps {@code $} as written (the syntax is checked all the same). */
    private static List<String> arguments(int line, Kind kind, String rest, Map<String, String> env)
            throws ImageException {
        List<String> args = switch (kind) {
            case FROM -> {
                List<String> words = words(line, rest, null, true);
                if (words.size() != 1) {
                    throw error(line, "FROM takes one image (FROM IMAGE AS NAME and flags are not supported)");
                }
                yield words;
            }
            case WORKDIR, USER -> {
                List<String> one = words(line, rest, env, false);
                if (one.isEmpty() || one.get(0).isEmpty()) {
                    throw error(line, kind + " is empty" + (env == null ? "" : " once its variables are replaced"));
                }
                yield one;
            }
            case RUN, ENTRYPOINT, CMD -> {
                List<String> exec = execForm(line, rest);
                yield exec != null ? exec : List.of("/bin/sh", "-c", rest);
            }
            case COPY -> {
                List<String> exec = execForm(line, rest);
                List<String> words = new ArrayList<>();
                if (exec == null) {
                    words = words(line, rest, env, true);
                } else {
                    for (String w : exec) {
                        words.add(env == null ? w : substituted(line, w, env));
                    }
                }
                if (!words.isEmpty() && words.get(0).startsWith("--")) {
                    throw error(line, "COPY " + words.get(0) + " is not supported");
                }
                if (words.size() < 2) {
                    throw error(line, "COPY needs a source and a destination");
                }
                yield words;
            }
            case ENV -> env(line, rest, env);
        };
        if (kind == Kind.RUN && args.isEmpty()) {
            throw error(line, "RUN needs a command"); // CMD [] and ENTRYPOINT [] are fine: they clear the default
        }
        return args;
    }

    /** A JSON array of strings, or null when {@code rest} is not one (then it is the shell form, as docker reads it). */
    private static List<String> execForm(int line, String rest) throws ImageException {
        if (!rest.startsWith("[")) {
            return null;
        }
        JsonNode node;
        try {
            node = ImageConfig.JSON.readTree(rest);
        } catch (JsonProcessingException e) {
            return null;
        }
        if (node == null || !node.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw error(line, "the exec form takes strings only, got " + n);
            }
            out.add(n.asText());
        }
        return out;
    }

    /** ENV KEY=VALUE [KEY=VALUE...] (values may be quoted) or ENV KEY VALUE (the rest of the line). */
    private static List<String> env(int line, String rest, Map<String, String> vars) throws ImageException {
        int space = indexOfSpace(rest);
        String first = space < 0 ? rest : rest.substring(0, space);
        List<String> out = new ArrayList<>();
        if (!first.contains("=")) {
            if (space < 0) {
                throw error(line, "ENV " + first + " needs a value (ENV KEY VALUE or ENV KEY=VALUE)");
            }
            out.add(key(line, first) + "=" + String.join("", words(line, rest.substring(space).strip(), vars, false)));
            return out;
        }
        for (String w : words(line, rest, vars, true)) {
            int eq = w.indexOf('=');
            if (eq < 0) {
                throw error(line, "ENV " + w + " has no value (write KEY=VALUE)");
            }
            out.add(key(line, w.substring(0, eq)) + w.substring(eq));
        }
        return out;
    }

    private static String key(int line, String key) throws ImageException {
        if (key.isEmpty()) {
            throw error(line, "ENV has an empty name");
        }
        return key;
    }

    /**
     * Words split at unquoted blanks (or one word, {@code split} false); "…" and '…' quote, a
     * backslash escapes the next character (outside '…'), and outside '…' a variable is replaced
     * from {@code env} (null: kept as written).
     */
    static List<String> words(int line, String s, Map<String, String> env, boolean split) throws ImageException {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (split && quote == 0 && Character.isWhitespace(c)) {
                if (w != null) {
                    out.add(w.toString());
                    w = null;
                }
                continue;
            }
            if (w == null) {
                w = new StringBuilder();
            }
            if (c == '\\' && quote != '\'' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                if (env == null && next == '$') {
                    w.append('\\'); // kept as written for the build to see
                }
                w.append(next);
            } else if (c == '$' && quote != '\'' && i + 1 < s.length()) {
                i = variable(line, s, i, env, w);
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else {
                w.append(c);
            }
        }
        if (quote != 0) {
            throw error(line, "unterminated " + quote + " quote");
        }
        if (w != null) {
            out.add(w.toString());
        }
        return out;
    }

    /** One exec-form string with its variables replaced: its quotes and backslashes are its own, not syntax. */
    private static String substituted(int line, String s, Map<String, String> env) throws ImageException {
        String escaped = s.replace("\\", "\\\\").replace("\"", "\\\"").replace("'", "\\'");
        return String.join("", words(line, escaped, env, false));
    }

    /**
     * The variable at {@code s[at]} ('$') appended to {@code w} (its value; as written when
     * {@code env} is null); returns the index of its last character. A '$' before no name stays.
     */
    private static int variable(int line, String s, int at, Map<String, String> env, StringBuilder w)
            throws ImageException {
        int i = at + 1;
        if (s.charAt(i) == '{') {
            int close = s.indexOf('}', i);
            if (close < 0) {
                throw error(line, "unterminated ${ in " + s);
            }
            String inside = s.substring(i + 1, close);
            int colon = inside.indexOf(':');
            String name = colon < 0 ? inside : inside.substring(0, colon);
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")
                    || colon >= 0 && !(inside.startsWith(":-", colon) || inside.startsWith(":+", colon))) {
                throw error(line, "bad substitution ${" + inside + "} (jbox build knows $NAME, ${NAME},"
                        + " ${NAME:-word} and ${NAME:+word})");
            }
            if (env == null) {
                w.append(s, at, close + 1);
            } else {
                String value = env.get(name);
                boolean set = value != null && !value.isEmpty();
                if (colon < 0) {
                    w.append(value == null ? "" : value);
                } else if (inside.charAt(colon + 1) == '-') {
                    w.append(set ? value : inside.substring(colon + 2));
                } else {
                    w.append(set ? inside.substring(colon + 2) : "");
                }
            }
            return close;
        }
        int end = i;
        while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')
                && !(end == i && Character.isDigit(s.charAt(end)))) {
            end++;
        }
        if (end == i) {
            w.append('$');
            return at;
        }
        String name = s.substring(i, end);
        w.append(env == null ? "$" + name : env.getOrDefault(name, ""));
        return end - 1;
    }

    private static int indexOfSpace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static ImageException error(int line, String what) {
        return new ImageException("Containerfile line " + line + ": " + what);
    }
}
