package jbox.oci;

import java.util.Map;
import jbox.spec.ContainerSpec;

/**
 * What jbox keeps of a container created through the OCI CLI (ROOT/ID/state.json): the init's
 * pid with its start time (so a reused pid is not taken for it), the bundle, and what delete
 * needs once the bundle may be gone: the cgroup (how many of its parents jbox made, and for a
 * relative cgroupsPath the cgroups create ran in, per hierarchy: delete may run from another) and
 * the poststop hooks. The status is not
 * stored: it is read off the kernel each time (see {@link #status}).
 */
public record OciState(String id, long pid, long pidStartTime, String bundle, String rootfs, String created,
        Map<String, String> annotations, String cgroup, int cgroupParents, Map<String, String> cgroupBases,
        ContainerSpec.Hooks hooks) {

    public OciState {
        cgroupBases = cgroupBases == null ? Map.of() : Map.copyOf(cgroupBases);
    }

    /** A state without cgroup bases (an absolute cgroupsPath, jbox's own parent, or none). */
    public OciState(String id, long pid, long pidStartTime, String bundle, String rootfs, String created,
            Map<String, String> annotations, String cgroup, int cgroupParents, ContainerSpec.Hooks hooks) {
        this(id, pid, pidStartTime, bundle, rootfs, created, annotations, cgroup, cgroupParents, Map.of(), hooks);
    }

    public static final String CREATING = "creating";
    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    /** Not decided here: the freezer says it (OciLifecycle.status), a cgroup this record does not read. */
    public static final String PAUSED = "paused";

    /**
     * created: the init is alive and still waits on the start FIFO; running: alive, FIFO gone;
     * stopped: gone or a zombie nobody has reaped yet; creating: no pid recorded yet.
     */
    public String status(boolean fifoExists) {
        if (pid <= 0) {
            return CREATING;
        }
        if (!jbox.runtime.ProcessStart.alive(pid, pidStartTime)) {
            return STOPPED;
        }
        return fifoExists ? CREATED : RUNNING;
    }
}
