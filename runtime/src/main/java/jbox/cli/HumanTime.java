// Durations and instants as docker prints them in ps, images and logs.
package jbox.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.ProcFile;

/**
 * docker's words for times: "2 minutes" (go-units' HumanDuration, which `docker ps` and `docker
 * images` use, so the columns read the same), and parsing of `--since` values (an RFC 3339
 * instant, Unix seconds, or a duration back from now: 10m, 1h30m, 45s).
 */
final class HumanTime {
    private HumanTime() {
    }

    /** go-units' HumanDuration, rule for rule. */
    static String duration(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 1) {
            return "Less than a second";
        }
        if (seconds == 1) {
            return "1 second";
        }
        if (seconds < 60) {
            return seconds + " seconds";
        }
        long minutes = d.toMinutes();
        if (minutes == 1) {
            return "About a minute";
        }
        if (minutes < 60) {
            return minutes + " minutes";
        }
        long hours = (long) (d.toMillis() / 3_600_000.0 + 0.5);
        if (hours == 1) {
            return "About an hour";
        }
        if (hours < 48) {
            return hours + " hours";
        }
        if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        }
        if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        }
        if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return d.toHours() / 24 / 365 + " years";
    }

    /** "2 minutes ago"; empty for an unknown instant. */
    static String ago(Instant then, Instant now) {
        return then == null ? "" : duration(Duration.between(then, now)) + " ago";
    }

    /** An ISO-8601 instant as recorded, or null when absent or unreadable. */
    static Instant parse(String iso) {
        if (iso == null || iso.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** `--since`/`--until`: 2024-05-01T10:00:00Z, 1714557600 (Unix seconds), or 10m / 1h30m / 45s back from now. */
    static Instant since(String value, Instant now) throws JboxException {
        if (value.matches("[0-9]+(\\.[0-9]+)?")) {
            return Instant.ofEpochMilli((long) (Double.parseDouble(value) * 1000));
        }
        if (value.matches("([0-9]+(h|m|s|ms))+")) {
            Matcher m = Pattern.compile("([0-9]+)(h|ms|m|s)").matcher(value);
            Duration d = Duration.ZERO;
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMillis(n);
                });
            }
            return now.minus(d);
        }
        Instant at = parse(value);
        if (at == null) {
            try {
                at = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new JboxException("invalid time " + value + ": use an RFC 3339 time (2024-05-01T10:00:00Z), "
                        + "Unix seconds, or a duration back from now (10m, 1h30m)");
            }
        }
        return at;
    }

    /**
     * When a process started, from its start time in clock ticks since boot (/proc/PID/stat field
     * 22, as recorded) and the boot time of /proc/stat's btime, never before {@code notBefore} (the
     * container's creation); null when unknown. btime is the kernel's own, whole seconds and the same
     * for every reader, so two calls (the engine's and the cold path's, ps and inspect) print the same
     * instant; "now minus /proc/uptime" moved by milliseconds from call to call. btime is truncated,
     * so the result is at most a second early, and the creation bounds that. USER_HZ is 100 on every
     * Linux architecture jbox runs on.
     */
    static Instant processStart(long startTicks, Instant notBefore) {
        if (startTicks <= 0) {
            return null;
        }
        try {
            for (String line : ProcFile.read(Path.of("/proc/stat")).split("\n")) {
                if (line.startsWith("btime ")) {
                    Instant start = Instant.ofEpochSecond(Long.parseLong(line.substring(6).trim()))
                            .plusMillis(startTicks * 10);
                    return notBefore != null && start.isBefore(notBefore) ? notBefore : start;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
