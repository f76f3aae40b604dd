package jbox.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;
import jbox.runtime.ContainerFiles;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox logs [-f] [--tail N] [--since T] [-t] CONTAINER`: what a container wrote, foreground or
 * detached, from the log its shim keeps (ContainerFiles.STDIO_LOG: frames of u8 stream, u32
 * length, u64 ns, bytes; launcher-c-shim/src/output.h). Its stdout comes out on ours, its stderr
 * on our stderr, as docker does; streamed, never held in memory whole (--tail keeps N lines).
 */
@Command(name = "logs", description = "Print a container's output (stdout and stderr, kept apart), foreground or detached.",
        mixinStandardHelpOptions = true)
public final class LogsCommand extends RequestCommand implements Callable<Integer> {
    /** The container's output as the shim logs it (ContainerFiles.stdioLog). */
    static final String LOG = ContainerFiles.STDIO_LOG;
    private static final int HEADER = 16;
    private static final int MAX_FRAME = 1 << 20;

    @Option(names = {"-f", "--follow"}, description = "Keep printing until the container exits.")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "Only the last N lines (default: all).")
    String tail = "all";

    @Option(names = "--since", paramLabel = "TIME", description = "Only output since TIME: 2024-05-01T10:00:00Z, Unix seconds, or 10m / 1h30m ago.")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only output before TIME (same forms as --since).")
    String until;

    @Option(names = {"-t", "--timestamps"}, description = "Start each line with the time it was written (RFC 3339, nanoseconds).")
    boolean timestamps;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    /** One piece of output: which stream, when, the bytes. */
    private record Chunk(int stream, long nanos, byte[] bytes) {
    }

    @Override
    public Integer call() throws JboxException {
        Config config = config();
        StateStore states = StateStore.ofRun(config.stateRoot());
        ContainerRecord s = states.find(ref);
        Path dir = Path.of(s.layerDir());
        Path log = dir.resolve(LOG);
        if (!Files.exists(log)) {
            Path old = dir.resolve("container.log"); // a detached container of an older jbox: one stream, no times
            if (Files.exists(old) && since == null && until == null && !timestamps && tail.equals("all")) {
                return copyOld(old, states, s);
            }
            throw new JboxException("container " + ref + " has no output log at " + log);
        }
        int lines = tail.equals("all") ? -1 : parseTail(tail);
        Instant now = Instant.now();
        long from = since == null ? Long.MIN_VALUE : nanos(HumanTime.since(since, now));
        long to = until == null ? Long.MAX_VALUE : nanos(HumanTime.since(until, now));
        boolean byLine = timestamps || lines >= 0;
        Printer printer = new Printer(out(), request.err(), timestamps);
        try (InputStream in = Files.newInputStream(log)) {
            Reader reader = new Reader(in);
            if (lines >= 0) {
                // the last N lines: read to the end keeping N, then print them (and follow from there)
                Deque<Line> last = new ArrayDeque<>();
                LineSplitter split = new LineSplitter(l -> {
                    if (lines == 0) {
                        return;
                    }
                    if (last.size() == lines) {
                        last.removeFirst();
                    }
                    last.addLast(l);
                });
                for (Chunk c; (c = reader.next()) != null;) {
                    if (c.nanos() >= from && c.nanos() < to) {
                        split.add(c);
                    }
                }
                split.flush();
                last.forEach(printer::line);
            }
            LineSplitter split = new LineSplitter(printer::line);
            for (;;) {
                Chunk c = reader.next();
                if (c != null) {
                    if (c.nanos() >= from && c.nanos() < to) {
                        if (byLine) {
                            split.add(c);
                        } else {
                            printer.raw(c);
                        }
                    }
                    continue;
                }
                printer.flush();
                if (!follow || !states.isOwned(s.id())) {
                    if (follow) { // the last frames may have landed while we looked at the owner
                        for (Chunk last; (last = reader.next()) != null;) {
                            if (byLine) {
                                split.add(last);
                            } else {
                                printer.raw(last);
                            }
                        }
                    }
                    split.flush();
                    printer.flush();
                    return 0;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new JboxException("cannot read " + log + ": " + IoReason.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private static int parseTail(String t) throws JboxException {
        try {
            int n = Integer.parseInt(t);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new JboxException("invalid --tail " + t + ": a number of lines, or all");
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    /** Frames off the log; null at its current end (a frame still being appended is read later). */
    private static final class Reader {
        private final InputStream in;
        private final byte[] header = new byte[HEADER];
        private int have;

        Reader(InputStream in) {
            this.in = in;
        }

        Chunk next() throws IOException, JboxException {
            while (have < HEADER) {
                int n = in.read(header, have, HEADER - have);
                if (n <= 0) {
                    return null;
                }
                have += n;
            }
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int stream = h.get(0);
            int length = h.getInt(4);
            long nanos = h.getLong(8);
            if ((stream != 1 && stream != 2) || length < 0 || length > MAX_FRAME) {
                throw new JboxException("the output log is damaged (a frame of stream " + stream + ", " + length + " bytes)");
            }
            byte[] b = in.readNBytes(length);
            if (b.length < length) {
                // appended in one writev: the rest is on its way; a follower waits for it
                byte[] rest = b;
                long deadline = System.nanoTime() + 2_000_000_000L;
                while (rest.length < length) {
                    if (System.nanoTime() > deadline) {
                        throw new JboxException("the output log ends inside a frame (" + rest.length + " of " + length + " bytes)");
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                    byte[] more = in.readNBytes(length - rest.length);
                    byte[] joined = new byte[rest.length + more.length];
                    System.arraycopy(rest, 0, joined, 0, rest.length);
                    System.arraycopy(more, 0, joined, rest.length, more.length);
                    rest = joined;
                }
                b = rest;
            }
            have = 0;
            return new Chunk(stream, nanos, b);
        }
    }

    /** One line (with its newline, if it had one) and the time its first byte was written. */
    private record Line(int stream, long nanos, byte[] bytes) {
    }

    /** Chunks into lines, per stream (a line may span several chunks). */
    private static final class LineSplitter {
        private final Consumer<Line> sink;
        private final ByteArrayOutputStream[] partial = {null, new ByteArrayOutputStream(),
            new ByteArrayOutputStream()};
        private final long[] started = new long[3];

        LineSplitter(Consumer<Line> sink) {
            this.sink = sink;
        }

        void add(Chunk c) {
            byte[] b = c.bytes();
            int s = c.stream();
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\n') {
                    if (partial[s].size() == 0) {
                        started[s] = c.nanos();
                    }
                    partial[s].write(b, start, i + 1 - start);
                    sink.accept(new Line(s, started[s], partial[s].toByteArray()));
                    partial[s].reset();
                    start = i + 1;
                }
            }
            if (start < b.length) {
                if (partial[s].size() == 0) {
                    started[s] = c.nanos();
                }
                partial[s].write(b, start, b.length - start);
            }
        }

        void flush() {
            for (int s = 1; s <= 2; s++) {
                if (partial[s].size() > 0) {
                    sink.accept(new Line(s, started[s], partial[s].toByteArray()));
                    partial[s].reset();
                }
            }
        }
    }

    /** Stream 1 to our stdout, 2 to our stderr; with -t each line after its time. */
    private static final class Printer {
        private final OutputStream out;
        private final PrintStream err;
        private final boolean timestamps;

        Printer(OutputStream out, PrintStream err, boolean timestamps) {
            this.out = out;
            this.err = err;
            this.timestamps = timestamps;
        }

        void raw(Chunk c) {
            OutputStream to = c.stream() == 2 ? err : out;
            try {
                to.write(c.bytes());
            } catch (IOException e) {
                // PrintStreams do not throw; kept for the interface
            }
        }

        void line(Line l) {
            OutputStream to = l.stream() == 2 ? err : out;
            try {
                if (timestamps) {
                    to.write(stamp(l.nanos()).getBytes(StandardCharsets.US_ASCII));
                }
                to.write(l.bytes());
            } catch (IOException e) {
                // as above
            }
        }

        void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                // as above
            }
            err.flush();
        }

        /** docker's -t: RFC 3339 with nanoseconds, always nine digits, then a space. */
        static String stamp(long nanos) {
            Instant i = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
            return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z' ")
                    .withZone(ZoneOffset.UTC).format(i);
        }
    }

    /** An older detached container's container.log: copied as it is. */
    private int copyOld(Path old, StateStore states, ContainerRecord s) throws JboxException {
        byte[] buf = new byte[64 * 1024];
        OutputStream out = out();
        try (InputStream in = Files.newInputStream(old)) {
            for (;;) {
                int n = in.read(buf);
                if (n > 0) {
                    out.write(buf, 0, n);
                    continue;
                }
                out.flush();
                if (!follow || !states.isOwned(s.id())) {
                    if (follow) {
                        in.transferTo(out);
                        out.flush();
                    }
                    return 0;
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new JboxException("cannot read " + old + ": " + IoReason.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
