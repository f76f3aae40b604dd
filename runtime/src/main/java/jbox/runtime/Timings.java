package jbox.runtime;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-phase wall times of a start, printed as one JSON line on the caller's stderr with --timings
 * or JBOX_TIMINGS=1. The launcher script exports JBOX_T0 (epoch ns) so the JVM's own start-up
 * shows as the first phase.
 */
public final class Timings {
    private boolean enabled;
    private final List<String> names = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private long last;
    private final long mainEpochNanos;
    private final String t0;
    private final PrintStream err;

    /** {@code t0}: the caller's JBOX_T0 (or null); {@code err}: where print() writes. */
    public Timings(boolean enabled, String t0, PrintStream err) {
        this.enabled = enabled;
        this.t0 = t0;
        this.err = err;
        this.last = System.nanoTime();
        this.mainEpochNanos = System.currentTimeMillis() * 1_000_000L;
        if (enabled) {
            addJvmStart();
        }
    }

    /** Timing switched off for good: nothing is recorded or printed. */
    public static Timings off() {
        return new Timings(false, null, null);
    }

    private void addJvmStart() {
        if (t0 != null && t0.matches("\\d+")) {
            names.add(0, "jvm_start_to_main");
            times.add(0, Math.max(0, mainEpochNanos - Long.parseLong(t0)));
        }
    }

    /** Turns timing on late (the --timings flag is parsed after the clock started). */
    public void enable(boolean on) {
        if (on && !enabled && err != null) {
            enabled = true;
            addJvmStart();
        }
    }

    public void mark(String phase) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        names.add(phase);
        times.add(now - last);
        last = now;
    }

    public void print() {
        if (!enabled) {
            return;
        }
        StringBuilder sb = new StringBuilder("{\"timings_ms\":{");
        long total = 0;
        for (int i = 0; i < names.size(); i++) {
            total += times.get(i);
            sb.append(i == 0 ? "" : ",").append('"').append(names.get(i)).append("\":")
                    .append(String.format("%.2f", times.get(i) / 1e6));
        }
        sb.append(",\"total\":").append(String.format("%.2f", total / 1e6)).append("}}");
        err.println(sb);
    }
}
