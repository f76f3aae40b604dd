// A one-line progress bar on stderr, redrawn in place with '\r'; silent when not attached to a terminal.
package jbox.image;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Draws only when the caller has a console (stdin and stdout are a terminal), so piped or logged
 * output never fills up with carriage returns. Redraws at most every 100 ms unless the percentage changed.
 */
public final class TerminalProgress implements ProgressListener {

    private static final int BAR_WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final double MIB = 1024.0 * 1024.0;

    private final String label;
    private final PrintStream out;
    private final boolean enabled;
    private int lastPercent = -1;
    private long lastDrawNanos;
    private boolean drawn;

    /** {@code enabled}: the caller's stdin and stdout are a terminal (what System.console() tells of a process). */
    public TerminalProgress(String label, PrintStream out, boolean enabled) {
        this.label = label;
        this.out = out;
        this.enabled = enabled;
    }

    @Override
    public void update(long bytesRead, long totalBytes) {
        if (!enabled) {
            return;
        }
        int percent = totalBytes > 0 ? (int) Math.min(100, bytesRead * 100 / totalBytes) : 0;
        long now = System.nanoTime();
        if (percent == lastPercent && now - lastDrawNanos < REDRAW_NANOS) {
            return;
        }
        lastPercent = percent;
        lastDrawNanos = now;
        drawn = true;
        out.print("\r" + line(bytesRead, totalBytes, percent));
        out.flush();
    }

    @Override
    public void finish() {
        if (enabled && drawn) {
            out.println();
            out.flush();
        }
    }

    /** Warnings go to the caller's stream, terminal or not: they say what the image lacks. */
    @Override
    public void warning(String line) {
        out.println("jbox: warning: " + line);
        out.flush();
    }

    String line(long bytesRead, long totalBytes, int percent) {
        int filled = percent * BAR_WIDTH / 100;
        String bar = "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled);
        String total = totalBytes > 0 ? String.format(Locale.ROOT, "/%.1f", totalBytes / MIB) : "";
        return String.format(Locale.ROOT, "%s [%s] %3d%% %.1f%s MiB", label, bar, percent, bytesRead / MIB, total);
    }
}
