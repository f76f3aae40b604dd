// Per-blob progress of a pull or push: one line per layer on a terminal, redrawn in place; silent otherwise.
package jbox.registry;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * All output of a transfer goes through here (lines are drawn from the downloading threads, so
 * every method is synchronized). On a terminal each blob has its line, and the block is redrawn in
 * place (cursor up, erase line) at most every 100 ms; elsewhere only {@link #note} lines appear,
 * so logs never fill with carriage returns.
 */
public final class TransferDisplay {

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;
    private static final double MIB = 1024.0 * 1024.0;

    private final PrintStream out;
    private final boolean terminal;
    private final List<Line> lines = new ArrayList<>();
    private int drawn;
    private long lastDraw;

    /** @param terminal draw progress lines (the stream is a terminal) */
    public TransferDisplay(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** No output at all. */
    public static TransferDisplay silent() {
        return new TransferDisplay(null, false);
    }

    /** One blob's line. */
    public final class Line {
        private final String label;
        private final long total;
        private long bytes;
        private String status = "waiting";

        private Line(String label, long total) {
            this.label = label;
            this.total = total;
        }

        public void progress(String what, long bytesSoFar) {
            synchronized (TransferDisplay.this) {
                status = what;
                bytes = bytesSoFar;
                redraw(false);
            }
        }

        public void done(String what) {
            synchronized (TransferDisplay.this) {
                status = what;
                bytes = total;
                redraw(true);
            }
        }

        private String render() {
            if (!status.endsWith("ing")) {
                return String.format(Locale.ROOT, "%s %s", label, status);
            }
            int percent = total > 0 ? (int) Math.min(100, bytes * 100 / total) : 0;
            int filled = percent * BAR_WIDTH / 100;
            return String.format(Locale.ROOT, "%s %-11s [%s%s] %3d%% %.1f/%.1f MiB", label, status,
                    "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), percent, bytes / MIB, total / MIB);
        }
    }

    public synchronized Line line(String label, long total) {
        Line l = new Line(label, total);
        lines.add(l);
        return l;
    }

    /** A line of its own (also when not on a terminal), below the progress block. */
    public synchronized void note(String text) {
        if (out == null) {
            return;
        }
        redraw(true);
        out.println(text);
        out.flush();
        if (terminal) {
            lines.clear();
            drawn = 0;
        }
    }

    /** Leaves the progress block as it last was: later output starts below it. */
    public synchronized void finish() {
        redraw(true);
        lines.clear();
        drawn = 0;
    }

    private void redraw(boolean force) {
        if (!terminal || out == null) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        StringBuilder b = new StringBuilder();
        if (drawn > 0) {
            b.append("\033[").append(drawn).append('A');
        }
        for (Line l : lines) {
            b.append("\r\033[2K").append(l.render()).append('\n');
        }
        drawn = lines.size();
        out.print(b);
        out.flush();
    }
}
