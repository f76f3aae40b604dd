package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;

/**
 * Writes the limits only OCI configs set into a container's v2 directory as runc 1.1 does
 * (libcontainer/cgroups/fs2): memory.low, cpuset.cpus/mems, io.weight or io.bfq.weight, io.max,
 * hugetlb.SIZE.max, then the unified key/values, which override what came before. v2 has no
 * files for swappiness, the OOM killer switch, real-time bandwidth or the network classes: runc
 * leaves them alone there, and so does jbox.
 */
final class OciLimitsV2 {
    private OciLimitsV2() {
    }

    /** The controllers these limits need delegated to the container, besides memory, pids and cpu. */
    static List<String> controllers(OciResources r) {
        List<String> out = new ArrayList<>();
        if (r.needsCpuset()) {
            out.add("cpuset");
        }
        if (r.needsBlockIo()) {
            out.add("io");
        }
        if (!r.hugepageLimits().isEmpty()) {
            out.add("hugetlb");
        }
        for (String key : r.unified().keySet()) {
            int dot = key.indexOf('.');
            if (dot > 0 && !key.startsWith("cgroup.") && !out.contains(key.substring(0, dot))) {
                out.add(key.substring(0, dot));
            }
        }
        return out;
    }

    static void write(Path dir, OciResources r, Set<String> available) throws JboxException {
        if (r.memoryReservation() != null) {
            CgroupFiles.write(dir.resolve("memory.low"), max(r.memoryReservation()));
        }
        if (r.cpusetCpus() != null) {
            CgroupFiles.write(dir.resolve("cpuset.cpus"), r.cpusetCpus());
        }
        if (r.cpusetMems() != null) {
            CgroupFiles.write(dir.resolve("cpuset.mems"), r.cpusetMems());
        }
        if (r.needsBlockIo()) {
            io(dir, r.blockIo());
        }
        for (Map.Entry<String, Long> h : r.hugepageLimits().entrySet()) {
            CgroupFiles.write(dir.resolve("hugetlb." + h.getKey() + ".max"), h.getValue().toString());
        }
        for (Map.Entry<String, String> u : r.unified().entrySet()) {
            unified(dir, u.getKey(), u.getValue(), available);
        }
    }

    /** -1 is unlimited in the OCI spec; v2 spells it "max". */
    static String max(long v) {
        return v == -1 ? "max" : Long.toString(v);
    }

    /** BFQ's io.bfq.weight takes the blkio weight as is; io.weight (1..10000) takes runc's conversion of it. */
    private static void io(Path dir, OciResources.BlockIo b) throws JboxException {
        Path bfq = dir.resolve("io.bfq.weight");
        boolean hasBfq = Files.exists(bfq);
        if (OciResources.set(b.weight()) != null) {
            if (hasBfq) {
                CgroupFiles.write(bfq, b.weight().toString());
            } else {
                CgroupFiles.write(dir.resolve("io.weight"), Long.toString(ioWeight(b.weight())));
            }
        }
        // Per-device weights exist only with BFQ; without it runc drops them, and so does jbox.
        for (OciResources.WeightDevice d : hasBfq ? b.weightDevices() : List.<OciResources.WeightDevice>of()) {
            if (OciResources.set(d.weight()) != null) {
                CgroupFiles.write(bfq, d.major() + ":" + d.minor() + " " + d.weight() + "\n");
            }
        }
        ioMax(dir, b.readBps(), "rbps");
        ioMax(dir, b.writeBps(), "wbps");
        ioMax(dir, b.readIops(), "riops");
        ioMax(dir, b.writeIops(), "wiops");
    }

    private static void ioMax(Path dir, List<OciResources.Throttle> devices, String key) throws JboxException {
        for (OciResources.Throttle t : devices) {
            CgroupFiles.write(dir.resolve("io.max"), t.major() + ":" + t.minor() + " " + key + "=" + t.rate());
        }
    }

    /** runc's ConvertBlkIOToIOWeightValue: blkio 10..1000 onto io 1..10000 (500 → 4950). */
    static long ioWeight(long blkioWeight) {
        return 1 + (blkioWeight - 10) * 9999 / 990;
    }

    /** As runc's setUnified: a missing file of a controller the host lacks says so. */
    private static void unified(Path dir, String key, String value, Set<String> available) throws JboxException {
        Path file = dir.resolve(key);
        if (!file.getParent().equals(dir)) {
            throw new JboxException("linux.resources.unified." + key + ": must be a file name (no slashes)");
        }
        if (!Files.exists(file)) {
            int dot = key.indexOf('.');
            if (dot <= 0) {
                throw new JboxException("linux.resources.unified." + key + ": must be in the form CONTROLLER.PARAMETER");
            }
            String controller = key.substring(0, dot);
            if (!controller.equals("cgroup") && !available.contains(controller)) {
                throw new JboxException("linux.resources.unified." + key + ": can't be set: controller " + controller
                        + " not available");
            }
        }
        CgroupFiles.write(file, value);
    }
}
