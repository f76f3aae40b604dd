package jbox.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.FileModes;

/**
 * runc's global flags, before the command: --root DIR (the OCI CLI's state root), --log FILE and
 * --log-format text|json (errors also go there, as conmon and containerd read them), --debug,
 * and --systemd-cgroup (refused: jbox has no systemd cgroup driver). One per request: relative
 * paths resolve against the caller's working directory.
 */
final class GlobalFlags {
    Path root;
    Path log;
    String logFormat = "text";
    boolean debug;
    /** True when any global flag came: `run` is then the OCI CLI's, not the docker-like one. */
    boolean given;

    GlobalFlags() {
    }

    /** Takes the leading global flags off args (paths resolved against {@code cwd}); returns the rest. */
    List<String> strip(List<String> args, Path cwd) throws JboxException {
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty() && rest.get(0).startsWith("--")) {
            String a = rest.get(0);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
            boolean takesValue = name.equals("--root") || name.equals("--log") || name.equals("--log-format")
                    || name.equals("--criu") || name.equals("--rootless");
            boolean isSwitch = name.equals("--debug") || name.equals("--systemd-cgroup");
            if (!takesValue && !isSwitch) {
                break; // --help, --version and the like belong to picocli
            }
            rest.remove(0);
            if (takesValue && value == null) {
                if (rest.isEmpty()) {
                    throw new JboxException("global option " + name + " needs a value");
                }
                value = rest.remove(0);
            }
            given = true;
            switch (name) {
                case "--root" -> root = cwd.resolve(value);
                case "--log" -> log = cwd.resolve(value);
                case "--log-format" -> {
                    if (!value.equals("text") && !value.equals("json")) {
                        throw new JboxException("invalid --log-format " + value + " (use text or json)");
                    }
                    logFormat = value;
                }
                case "--debug" -> debug = true;
                case "--systemd-cgroup" -> throw new JboxException(
                        "--systemd-cgroup is not supported: jbox manages cgroupfs directly (use cgroup_manager = \"cgroupfs\")");
                case "--rootless" -> {
                    if (!value.equals("false") && !value.equals("auto")) {
                        throw new JboxException("--rootless " + value + " is not supported: jbox runs as root");
                    }
                }
                default -> { } // --criu: checkpointing is not supported, the path is irrelevant
            }
        }
        return rest;
    }

    /** The OCI CLI's state root: --root, else oci.root of the configuration. */
    Path ociRoot(Config config) throws JboxException {
        return root != null ? root : Path.of(config.get("oci.root"));
    }

    /** Also records an error in --log, in its format (best effort: the error already went to stderr). */
    void logError(String message) {
        if (log != null) {
            logLine("error", message);
        }
    }

    /** With --debug, a detail for whoever investigates: to --log as runc does, else to stderr. */
    void logDebug(String message, PrintStream err) {
        if (!debug) {
            return;
        }
        if (log != null) {
            logLine("debug", message);
        } else {
            err.println("jbox: debug: " + message);
        }
    }

    private void logLine(String level, String message) {
        String line = logFormat.equals("json")
                ? "{\"level\":\"" + level + "\",\"msg\":" + quote(message) + ",\"time\":\"" + Instant.now() + "\"}\n"
                : "time=\"" + Instant.now() + "\" level=" + level + " msg=" + quote(message) + "\n";
        try {
            FileModes.ensureFile(log, FileModes.PRIVATE_FILE); // not the umask's mode
            Files.write(log, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // best effort: errors are on stderr anyway
        }
    }

    /** A JSON string literal (logrus quotes its text format the same way). */
    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
