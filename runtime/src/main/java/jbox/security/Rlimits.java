package jbox.security;

import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import jbox.JboxException;

/** `--ulimit NAME=SOFT[:HARD]` names (docker's) and the RLIMIT_* numbers of x86_64 Linux. */
public final class Rlimits {
    static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("cpu", 0), Map.entry("fsize", 1), Map.entry("data", 2), Map.entry("stack", 3),
            Map.entry("core", 4), Map.entry("rss", 5), Map.entry("nproc", 6), Map.entry("nofile", 7),
            Map.entry("memlock", 8), Map.entry("as", 9), Map.entry("locks", 10), Map.entry("sigpending", 11),
            Map.entry("msgqueue", 12), Map.entry("nice", 13), Map.entry("rtprio", 14), Map.entry("rttime", 15));

    public static final long UNLIMITED = -1L; // RLIM_INFINITY, all bits set

    /** One parsed limit, named as in the OCI spec ("RLIMIT_NOFILE"). */
    public record Limit(String type, long soft, long hard) {
    }

    private Rlimits() {
    }

    public static Limit parse(String spec) throws JboxException {
        int eq = spec.indexOf('=');
        String name = eq < 0 ? "" : spec.substring(0, eq).toLowerCase(Locale.ROOT);
        if (!NUMBERS.containsKey(name)) {
            throw new JboxException("invalid --ulimit " + spec + ": expected NAME=SOFT[:HARD] with NAME one of " + new TreeSet<>(NUMBERS.keySet()));
        }
        String[] v = spec.substring(eq + 1).split(":", -1);
        if (v.length > 2) {
            throw new JboxException("invalid --ulimit " + spec + ": expected NAME=SOFT[:HARD]");
        }
        long soft = value(spec, v[0]);
        long hard = v.length == 2 ? value(spec, v[1]) : soft;
        if (hard != UNLIMITED && (soft == UNLIMITED || soft > hard)) {
            throw new JboxException("invalid --ulimit " + spec + ": soft limit above hard limit");
        }
        return new Limit("RLIMIT_" + name.toUpperCase(Locale.ROOT), soft, hard);
    }

    private static long value(String spec, String v) throws JboxException {
        if (v.equals("-1") || v.equalsIgnoreCase("unlimited")) {
            return UNLIMITED;
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new JboxException("invalid --ulimit " + spec + ": " + v + " is not a number (or -1 / unlimited)");
        }
    }

    /** RLIMIT_NOFILE → 7. */
    public static int number(String type) throws JboxException {
        Integer n = NUMBERS.get(type.toLowerCase(Locale.ROOT).replaceFirst("^rlimit_", ""));
        if (n == null) {
            throw new JboxException("unknown rlimit " + type);
        }
        return n;
    }
}
