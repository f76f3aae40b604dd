package jbox.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.cgroup.CgroupUpdate;
import jbox.config.Config;
import jbox.oci.OciEvents;
import jbox.oci.OciLifecycle;
import jbox.oci.OciUpdate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * runc's verbs beyond the lifecycle, as containerd and podman call them: pause, resume, update,
 * events; checkpoint and restore are refused (jbox has no CRIU).
 */
final class OciVerbCommands {
    private OciVerbCommands() {
    }

    @Command(name = "pause", description = "Freeze every process of a container (cgroup freezer).", mixinStandardHelpOptions = true)
    static final class Pause extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            OciCommands.lifecycle(request).pause(id);
            return 0;
        }
    }

    @Command(name = "resume", description = "Thaw a paused container.", mixinStandardHelpOptions = true)
    static final class Resume extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            OciCommands.lifecycle(request).resume(id);
            return 0;
        }
    }

    @Command(name = "update", description = "Change a container's cgroup limits (runc's flags, or -r FILE with linux.resources JSON).",
            mixinStandardHelpOptions = true)
    static final class Update extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-r", "--resources"}, paramLabel = "FILE", description = "linux.resources JSON ('-': stdin); the flags are then ignored, as runc's.")
        String resources;

        @Option(names = "--memory", paramLabel = "BYTES", description = "Memory limit (-1: unlimited).")
        String memory;

        @Option(names = "--memory-swap", paramLabel = "BYTES", description = "Memory plus swap (-1: unlimited swap).")
        String memorySwap;

        @Option(names = "--memory-reservation", paramLabel = "BYTES", description = "Soft memory limit.")
        String memoryReservation;

        @Option(names = "--pids-limit", paramLabel = "N", description = "Maximum number of processes (-1: unlimited).")
        Long pidsLimit;

        @Option(names = "--cpu-quota", paramLabel = "MICROS", description = "CFS quota per period (-1: unlimited).")
        Long cpuQuota;

        @Option(names = "--cpu-period", paramLabel = "MICROS", description = "CFS period.")
        Long cpuPeriod;

        @Option(names = "--cpu-share", paramLabel = "N", description = "CPU shares (relative weight).")
        Long cpuShare;

        @Option(names = "--cpuset-cpus", paramLabel = "LIST", description = "CPUs to use (cgroup v1).")
        String cpusetCpus;

        @Option(names = "--cpuset-mems", paramLabel = "LIST", description = "Memory nodes to use (cgroup v1).")
        String cpusetMems;

        @Option(names = "--blkio-weight", paramLabel = "N", description = "Refused: jbox does not manage blkio.")
        String blkioWeight;

        @Option(names = "--cpu-rt-period", paramLabel = "MICROS", description = "Refused: jbox does not manage realtime scheduling.")
        String cpuRtPeriod;

        @Option(names = "--cpu-rt-runtime", paramLabel = "MICROS", description = "Refused: jbox does not manage realtime scheduling.")
        String cpuRtRuntime;

        @Option(names = "--kernel-memory", paramLabel = "BYTES", description = "Refused: kernel memory limits are deprecated.")
        String kernelMemory;

        @Option(names = "--kernel-memory-tcp", paramLabel = "BYTES", description = "Refused: kernel memory limits are deprecated.")
        String kernelMemoryTcp;

        @Option(names = "--l3-cache-schema", paramLabel = "SCHEMA", description = "Refused: jbox does not manage Intel RDT.")
        String l3CacheSchema;

        @Option(names = "--mem-bw-schema", paramLabel = "SCHEMA", description = "Refused: jbox does not manage Intel RDT.")
        String memBwSchema;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            if (resources == null) {
                UpdateResources.refuse("--blkio-weight", blkioWeight);
                UpdateResources.refuse("--cpu-rt-period", cpuRtPeriod);
                UpdateResources.refuse("--cpu-rt-runtime", cpuRtRuntime);
                UpdateResources.refuse("--kernel-memory", kernelMemory);
                UpdateResources.refuse("--kernel-memory-tcp", kernelMemoryTcp);
                UpdateResources.refuse("--l3-cache-schema", l3CacheSchema);
                UpdateResources.refuse("--mem-bw-schema", memBwSchema);
            }
            CgroupUpdate u = resources != null
                    ? UpdateResources.fromJson(UpdateResources.read(request, resources), resources)
                    : UpdateResources.fromFlags(memory, memorySwap, memoryReservation, pidsLimit, cpuQuota, cpuPeriod,
                            cpuShare, cpusetCpus, cpusetMems);
            OciLifecycle l = OciCommands.lifecycle(request);
            new OciUpdate(l).update(id, u);
            return 0;
        }
    }

    @Command(name = "events", description = "Print a container's stats and OOM events as runc's JSON lines.", mixinStandardHelpOptions = true)
    static final class Events extends RequestCommand implements Callable<Integer> {
        @Option(names = "--interval", paramLabel = "DURATION", description = "Between two stats (Go's form: 5s, 500ms; default 5s).")
        String interval = "5s";

        @Option(names = "--stats", description = "Print the stats once and exit.")
        boolean stats;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() throws JboxException {
            Duration d = parseDuration(interval);
            OciEvents events = new OciEvents(OciCommands.lifecycle(request));
            if (stats) {
                events.stats(id, out());
            } else {
                events.stream(id, d, out());
            }
            return 0;
        }
    }

    /** Go's time.ParseDuration for what callers send: "5s", "1.5s", "250ms", "1m30s". */
    static Duration parseDuration(String text) throws JboxException {
        Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)").matcher(text);
        long nanos = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += Math.round(Double.parseDouble(m.group(1)) * unit);
            end = m.end();
        }
        if (text.isEmpty() || end != text.length()) {
            throw new JboxException("invalid --interval " + text + ": expected a duration such as 5s or 500ms");
        }
        if (nanos <= 0) {
            throw new JboxException("--interval must be greater than 0");
        }
        return Duration.ofNanos(nanos);
    }

    @Command(name = "checkpoint", description = "Refused: jbox has no CRIU.", mixinStandardHelpOptions = true)
    static final class Checkpoint extends RequestCommand implements Callable<Integer> {
        @Unmatched
        List<String> args;

        @Override
        public Integer call() throws JboxException {
            throw new JboxException("checkpoint is not supported (no CRIU)");
        }
    }

    @Command(name = "restore", description = "Refused: jbox has no CRIU.", mixinStandardHelpOptions = true)
    static final class Restore extends RequestCommand implements Callable<Integer> {
        @Unmatched
        List<String> args;

        @Override
        public Integer call() throws JboxException {
            throw new JboxException("restore is not supported (no CRIU)");
        }
    }
}
