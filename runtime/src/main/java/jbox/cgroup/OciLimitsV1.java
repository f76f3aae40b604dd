package jbox.cgroup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;

/**
 * Writes the limits only OCI configs set into a container's v1 directories, file by file as
 * runc 1.1 writes them (libcontainer/cgroups/fs): the same files, values and order, so a config
 * runc runs gives the same cgroup here. CgroupHost.check has made sure each controller is there.
 */
final class OciLimitsV1 {
    private OciLimitsV1() {
    }

    static void write(Map<String, Path> byController, OciResources r) throws JboxException {
        Path cpuset = byController.get("cpuset");
        if (r.cpusetCpus() != null) {
            CgroupFiles.write(cpuset.resolve("cpuset.cpus"), r.cpusetCpus());
        }
        if (r.cpusetMems() != null) {
            CgroupFiles.write(cpuset.resolve("cpuset.mems"), r.cpusetMems());
        }
        Path memory = byController.get("memory");
        if (r.memoryReservation() != null) {
            CgroupFiles.write(memory.resolve("memory.soft_limit_in_bytes"), r.memoryReservation().toString());
        }
        if (r.disableOomKiller()) {
            CgroupFiles.write(memory.resolve("memory.oom_control"), "1");
        }
        if (r.swappiness() != null) {
            CgroupFiles.write(memory.resolve("memory.swappiness"), r.swappiness().toString());
        }
        Path cpu = byController.get("cpu");
        // Period first: a runtime above the current period is refused. The parent's own
        // rt_runtime_us (0 unless an administrator gave it some) bounds the runtime: EINVAL, as runc.
        if (r.realtimePeriod() != null) {
            CgroupFiles.write(cpu.resolve("cpu.rt_period_us"), r.realtimePeriod().toString());
        }
        if (r.realtimeRuntime() != null) {
            CgroupFiles.write(cpu.resolve("cpu.rt_runtime_us"), r.realtimeRuntime().toString());
        }
        if (r.needsBlockIo()) {
            blkio(byController.get("blkio"), r.blockIo());
        }
        Path hugetlb = byController.get("hugetlb");
        for (Map.Entry<String, Long> h : r.hugepageLimits().entrySet()) {
            CgroupFiles.write(hugetlb.resolve("hugetlb." + h.getKey() + ".limit_in_bytes"), h.getValue().toString());
        }
        if (r.netClassId() != null && r.netClassId() != 0) {
            CgroupFiles.write(byController.get("net_cls").resolve("net_cls.classid"), r.netClassId().toString());
        }
        for (String line : r.netPriorities()) {
            CgroupFiles.write(byController.get("net_prio").resolve("net_prio.ifpriomap"), line);
        }
    }

    /**
     * blkio.weight where the kernel has it (CFQ, before 5.0), else BFQ's blkio.bfq.weight; a kernel
     * with neither (no BFQ scheduler) fails on the missing file, as runc does.
     */
    private static void blkio(Path dir, OciResources.BlockIo b) throws JboxException {
        boolean cfq = Files.exists(dir.resolve("blkio.weight"));
        String weight = cfq ? "blkio.weight" : "blkio.bfq.weight";
        String weightDevice = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (OciResources.set(b.weight()) != null) {
            CgroupFiles.write(dir.resolve(weight), b.weight().toString());
        }
        if (OciResources.set(b.leafWeight()) != null) {
            CgroupFiles.write(dir.resolve("blkio.leaf_weight"), b.leafWeight().toString());
        }
        for (OciResources.WeightDevice d : b.weightDevices()) {
            if (OciResources.set(d.weight()) != null) {
                CgroupFiles.write(dir.resolve(weightDevice), d.major() + ":" + d.minor() + " " + d.weight());
            }
            if (OciResources.set(d.leafWeight()) != null) {
                CgroupFiles.write(dir.resolve("blkio.leaf_weight_device"), d.major() + ":" + d.minor() + " " + d.leafWeight());
            }
        }
        throttle(dir.resolve("blkio.throttle.read_bps_device"), b.readBps());
        throttle(dir.resolve("blkio.throttle.write_bps_device"), b.writeBps());
        throttle(dir.resolve("blkio.throttle.read_iops_device"), b.readIops());
        throttle(dir.resolve("blkio.throttle.write_iops_device"), b.writeIops());
    }

    private static void throttle(Path file, List<OciResources.Throttle> devices) throws JboxException {
        for (OciResources.Throttle t : devices) {
            CgroupFiles.write(file, t.line());
        }
    }
}
