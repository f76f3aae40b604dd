package jbox.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.state.ContainerRecord;

/**
 * `jbox top` and `jbox stats`: a running container's processes (from its cgroup, or without one
 * from its pid namespace: every host process whose /proc/PID/ns/pid is the init's) and its cgroup
 * figures (cpu time, memory usage and limit, pids).
 */
public final class ContainerStats {
    private final ContainerCgroups cgroups;

    public ContainerStats(ContainerCgroups cgroups) {
        this.cgroups = cgroups;
    }

    /** One process as `top` shows it: host pid, parent, host uid, cpu time (s), command line. */
    public record Proc(long pid, long ppid, long uid, long cpuSeconds, String command) {
    }

    /** The container's processes, by host pid. */
    public List<Proc> processes(ContainerRecord s) throws JboxException {
        List<Long> pids = cgroups.pids(s);
        if (pids.isEmpty()) {
            pids = samePidNamespace(s.pid());
        }
        List<Proc> out = new ArrayList<>();
        for (long pid : pids.stream().sorted().toList()) {
            Proc p = proc(pid);
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Long> samePidNamespace(long init) throws JboxException {
        List<Long> out = new ArrayList<>();
        String ns;
        try {
            ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(init), "ns/pid")).toString();
        } catch (IOException e) {
            throw new JboxException("cannot read the pid namespace of pid " + init + ": " + IoReason.of(e), e);
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                try {
                    if (Files.readSymbolicLink(p.resolve("ns/pid")).toString().equals(ns)) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // exited while we looked, or a kernel thread
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot list /proc: " + IoReason.of(e), e);
        }
        return out;
    }

    private static Proc proc(long pid) {
        try {
            Path dir = Path.of("/proc", Long.toString(pid));
            String stat = Files.readString(dir.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ppid = Long.parseLong(f[1]);
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            long uid = -1;
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            byte[] cmd = Files.readAllBytes(dir.resolve("cmdline"));
            String command = new String(cmd, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (command.isEmpty()) {
                command = "[" + stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')) + "]";
            }
            return new Proc(pid, ppid, uid, ticks / 100, command);
        } catch (IOException | RuntimeException gone) {
            return null; // exited while we read it
        }
    }

    /** One reading of the container's cgroup. */
    public record Sample(long nanos, long cpuNanos, long memoryBytes, long memoryLimit, long pids) {
    }

    /** Reads the container's cgroup now; it must have one (a detached container always does). */
    @SuppressWarnings("unchecked")
    public Sample sample(ContainerRecord s) throws JboxException {
        if (s.cgroup() == null) {
            throw new JboxException("container " + s.shortId() + " has no cgroup to read (a foreground run gets one only with a limit)");
        }
        Map<String, Object> data = cgroups.stats(s);
        Map<String, Object> cpu = (Map<String, Object>) ((Map<String, Object>) data.get("cpu")).get("usage");
        long cpuNanos = number(cpu.get("total"));
        if (cpuNanos == 0) {
            cpuNanos = number(cpu.get("user")) + number(cpu.get("kernel"));
        }
        Map<String, Object> mem = (Map<String, Object>) ((Map<String, Object>) data.get("memory")).get("usage");
        long limit = number(mem.get("limit"));
        long total = hostMemory();
        if (limit <= 0 || limit > total) {
            limit = total; // unlimited: docker shows the host's memory
        }
        return new Sample(System.nanoTime(), cpuNanos, number(mem.get("usage")), limit,
                number(((Map<String, Object>) data.get("pids")).get("current")));
    }

    /** CPU % as docker computes it: cpu time used over wall time, 100 % per core. */
    public static double cpuPercent(Sample before, Sample after) {
        long wall = after.nanos() - before.nanos();
        return wall <= 0 ? 0 : 100.0 * (after.cpuNanos() - before.cpuNanos()) / wall;
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : 0;
    }

    private static long hostMemory() throws JboxException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new JboxException("cannot read /proc/meminfo: " + e.getMessage(), e);
        }
        return Long.MAX_VALUE;
    }
}
