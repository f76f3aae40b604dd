package jbox.runtime;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jbox.JboxException;
import jbox.cgroup.CgroupUsage;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.security.SyscallTable;
import jbox.spec.ContainerSpec;

/**
 * `--report FILE`: one JSON document saying exactly how a run ended — exit code or signal, the
 * reason, wall and CPU time, peak memory — written atomically when the run is over, also when it
 * failed to start.
 */
final class RunReport {
    /** A detached container's report, in its state directory. */
    static final String FILE = "report.json";
    private static final JsonFactory JSON = new JsonFactory();
    private static final int USER_REPORT_MODE = 0644;
    private static final int SIGKILL = 9;
    private static final int SIGXCPU = 24;

    private final Path file;
    private final int mode;
    private final String id;
    private final String name;
    private final String image;
    private final long startNanos = System.nanoTime();
    private Instant startedAt; // set for a detached container: its run began in another process

    /** The user's --report file: 0644 whatever the umask, readable as any report. */
    RunReport(Path file, String id, String name, String image) {
        this(file, USER_REPORT_MODE, id, name, image);
    }

    /** A report jbox keeps for `jbox inspect` in the container's state directory: root's only. */
    static RunReport kept(Path stateDir, String id, String name, String image) {
        return new RunReport(stateDir.resolve(FILE), FileModes.PRIVATE_FILE, id, name, image);
    }

    private RunReport(Path file, int mode, String id, String name, String image) {
        this.file = file;
        this.mode = mode;
        this.id = id;
        this.name = name;
        this.image = image;
    }

    /** Wall time counts from {@code at} (a detached container's creation) instead of now. */
    RunReport startedAt(Instant at) {
        this.startedAt = at;
        return this;
    }

    /** The command ran and ended. */
    void ended(ContainerRunner.Outcome o, ContainerSpec spec, CgroupUsage usage) throws JboxException {
        ended(o, spec, usage, false);
    }

    /** {@code cpuLimitHit}: jbox killed the container for its cgroup's CPU time (--cpu-time). */
    void ended(ContainerRunner.Outcome o, ContainerSpec spec, CgroupUsage usage, boolean cpuLimitHit) throws JboxException {
        write(g -> {
            g.writeStringField("reason", cpuLimitHit && !o.timedOut() ? "cpu_limit" : reason(o, spec, usage));
            g.writeNumberField("exitCode", o.exitCode());
            if (o.signal() != 0) {
                g.writeNumberField("signal", o.signal());
            }
            // The cgroup counts every process of the container; wait4 only those the init reaped.
            g.writeNumberField("cpuUserMs", (usage != null ? usage.cpuUserMicros() : o.cpuUserMicros()) / 1000.0);
            g.writeNumberField("cpuSystemMs", (usage != null ? usage.cpuSystemMicros() : o.cpuSystemMicros()) / 1000.0);
            g.writeNumberField("peakRssBytes", o.maxRssKib() * 1024);
            if (usage != null) {
                g.writeNumberField("peakMemoryBytes", usage.peakMemoryBytes());
                g.writeNumberField("oomKills", usage.oomKills());
                g.writeNumberField("pidsLimitHits", usage.pidsLimitHits());
            }
            // Limits the container met on its way, whatever the reason it ended: a fork bomb that
            // still exits 0 hit its pids limit, but that is not why it ended.
            g.writeArrayFieldStart("events");
            for (String e : events(usage)) {
                g.writeString(e);
            }
            g.writeEndArray();
            // Syscalls the seccomp filter refused (EPERM), counted by the shim as supervisor.
            g.writeObjectFieldStart("deniedSyscalls");
            for (Map.Entry<Integer, Long> d : o.deniedSyscalls().entrySet()) {
                g.writeNumberField(SyscallTable.x86_64().name(d.getKey()), d.getValue());
            }
            g.writeEndObject();
        });
    }

    /** jbox could not start the command: 125 setup_failed (with the step), 126, 127. */
    void failed(JboxException e, ContainerRunner.SetupFailure step) throws JboxException {
        write(g -> {
            String reason = e.exitCode() == JboxException.NOT_FOUND ? "not_found"
                    : e.exitCode() == JboxException.NOT_EXECUTABLE ? "not_executable" : "setup_failed";
            g.writeStringField("reason", reason);
            g.writeNumberField("exitCode", e.exitCode());
            g.writeStringField("error", e.getMessage());
            if (step != null) {
                g.writeStringField("failedStep", step.step());
                g.writeStringField("errno", step.errno());
            }
        });
    }

    /**
     * The most specific cause first: a timeout, the OOM killer, a CPU limit, refused forks, then
     * the plain exit or signal. A limit is the reason only of a run that did not end well (a
     * signal or a non-zero status): exit 0 is "exited", and the limits it met are events.
     */
    static String reason(ContainerRunner.Outcome o, ContainerSpec spec, CgroupUsage usage) {
        if (o.timedOut()) {
            return "timeout";
        }
        boolean clean = o.waitStatus() == 0;
        if (usage != null && usage.oomKills() > 0 && !clean) {
            return "oom_killed";
        }
        if (o.signal() == SIGXCPU || (o.signal() == SIGKILL && cpuLimitReached(o, spec))) {
            return "cpu_limit";
        }
        if (usage != null && usage.pidsLimitHits() > 0 && !clean) {
            return "pids_limit_hit";
        }
        return o.signal() != 0 ? "signaled" : "exited";
    }

    /** The cgroup limits the container met while it ran: oom_kill, pids_limit_hit. */
    static List<String> events(CgroupUsage usage) {
        List<String> out = new ArrayList<>();
        if (usage != null && usage.oomKills() > 0) {
            out.add("oom_kill");
        }
        if (usage != null && usage.pidsLimitHits() > 0) {
            out.add("pids_limit_hit");
        }
        return out;
    }

    /**
     * The one line jbox prints on stderr when a limit ended the run (with or without --report):
     * null when it just exited or was signalled from outside.
     */
    static String stopNote(ContainerRunner.Outcome o, ContainerSpec spec, CgroupUsage usage, boolean cpuLimitHit,
            String timeout, String cpuTime) {
        String reason = cpuLimitHit && !o.timedOut() ? "cpu_limit" : reason(o, spec, usage);
        switch (reason) {
            case "timeout":
                return "container stopped: --timeout " + timeout + " reached";
            case "oom_killed": {
                ContainerSpec.Resources r = spec.linux().resources();
                Long limit = r == null || r.memory() == null ? null : r.memory().limit();
                String what = o.signal() == SIGKILL ? "container was killed: out of memory"
                        : "out of memory: the kernel killed " + usage.oomKills() + " process(es) of the container";
                return what + (limit == null ? "" : " (memory limit " + bytes(limit) + ")");
            }
            case "cpu_limit":
                return "container stopped: its CPU time limit" + (cpuTime == null ? "" : " of " + cpuTime + "s") + " was used up";
            default:
                return null;
        }
    }

    /** 64 MiB, 1.5 GiB, 512 KiB: as a person reads a limit. */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.floor(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    /**
     * Fails now, before the container runs, when the report could not be written later: the
     * directory must exist and take a file (probed with the temp file the report goes through).
     */
    static void checkWritable(Path file) throws JboxException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (Files.isDirectory(file)) {
                throw new JboxException("cannot write the run report " + file + ": it is a directory");
            }
            FileModes.write(tmp, new byte[0], 0644);
            Files.delete(tmp);
        } catch (IOException e) {
            throw new JboxException("cannot write the run report " + file + ": " + IoReason.of(e), e);
        }
    }

    private static boolean cpuLimitReached(ContainerRunner.Outcome o, ContainerSpec spec) {
        List<ContainerSpec.Rlimit> limits = spec == null ? null : spec.process().rlimits();
        if (limits == null) {
            return false;
        }
        for (ContainerSpec.Rlimit r : limits) {
            if (r.type().equals("RLIMIT_CPU")) {
                return (o.cpuUserMicros() + o.cpuSystemMicros()) / 1_000_000 >= r.soft();
            }
        }
        return false;
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private OutputStream newReport(Path tmp) throws IOException {
        FileModes.write(tmp, new byte[0], mode);
        return Files.newOutputStream(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private void write(Fields fields) throws JboxException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = newReport(tmp); JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("id", id);
            if (name != null) {
                g.writeStringField("name", name);
            }
            g.writeStringField("image", image);
            fields.write(g);
            g.writeNumberField("wallTimeMs", startedAt != null
                    ? Duration.between(startedAt, Instant.now()).toNanos() / 1_000_000.0
                    : (System.nanoTime() - startNanos) / 1_000_000.0);
            g.writeEndObject();
        } catch (IOException e) {
            throw new JboxException("cannot write the run report " + file + ": " + IoReason.of(e), e);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JboxException("cannot write the run report " + file + ": " + IoReason.of(e), e);
        }
    }
}
