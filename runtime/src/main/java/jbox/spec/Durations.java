package jbox.spec;

import jbox.JboxException;

/** Durations as users write them: "90", "90s", "5m", "1h", "1.5s" → seconds or milliseconds. */
public final class Durations {
    private Durations() {
    }

    public static long millis(String flag, String value) throws JboxException {
        String v = value.trim();
        double unit = 1000;
        if (v.endsWith("ms")) {
            unit = 1;
            v = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("m")) {
            unit = 60_000;
            v = v.substring(0, v.length() - 1);
        } else if (v.endsWith("h")) {
            unit = 3_600_000;
            v = v.substring(0, v.length() - 1);
        }
        try {
            double d = Double.parseDouble(v);
            if (d <= 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return Math.max(1, Math.round(d * unit));
        } catch (NumberFormatException e) {
            throw new JboxException("invalid " + flag + " " + value + ": expected a positive duration such as 30s, 5m or 1h");
        }
    }

    /** Whole seconds, rounded up (RLIMIT_CPU counts seconds). */
    public static long seconds(String flag, String value) throws JboxException {
        return (millis(flag, value) + 999) / 1000;
    }
}
