package jbox.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import jbox.spec.ContainerSpec;

/**
 * What jbox records about one container in STATE_ROOT/ID/state.json, whichever CLI made it (`jbox
 * run` under state.root, the OCI CLI under --root): the init's and the shim's pids with their start
 * times (from /proc/PID/stat, so a reused pid is never mistaken for them: nothing is signalled or
 * entered unless its start time is still the recorded one), the image (jbox run) or the bundle and
 * rootfs (OCI), when it was created and finished, its exit code, its cgroup (how many parents jbox
 * made, and for a relative cgroupsPath the cgroups create ran in: later commands may run from
 * elsewhere), annotations and the poststart/poststop hooks (kept apart in hooks.json). The spec it
 * runs is config.json beside it (SpecFile).
 *
 * <p>{@code status} is what the owner last recorded (created, running, exited; none for the OCI
 * CLI's), for people and scripts reading the file: jbox decides a container's status from the
 * kernel each time ({@link StateStore#status}), never from this field. {@code created} is set once
 * a container exists (the OCI CLI: once create finished, so a record without it is an interrupted
 * create).
 */
public record ContainerRecord(
        String id,
        String name,
        String image,
        String bundle,
        String rootfs,
        String status,
        long pid,
        long pidStartTime,
        long shimPid,
        long shimStartTime,
        String created,
        String finished,
        Integer exitCode,
        boolean autoRemove,
        String layerDir,
        Map<String, String> annotations,
        String cgroup,
        int cgroupParents,
        Map<String, String> cgroupBases,
        ContainerSpec.Hooks hooks) {

    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String EXITED = "exited";

    public ContainerRecord {
        // in their order: the OCI state prints annotations as the config lists them
        annotations = annotations == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
        cgroupBases = cgroupBases == null ? Map.of() : Map.copyOf(cgroupBases);
    }

    /** A container of `jbox run`, before its init exists. */
    public static ContainerRecord ofImage(String id, String name, String image, String created, boolean autoRemove,
            String layerDir) {
        return new ContainerRecord(id, name, image, null, null, CREATED, 0, 0, 0, 0, created, null, null, autoRemove,
                layerDir, null, null, 0, null, null);
    }

    /** A container of the OCI CLI, before its init exists. */
    public static ContainerRecord ofBundle(String id, String bundle, String rootfs) {
        return new ContainerRecord(id, null, null, bundle, rootfs, null, 0, 0, 0, 0, null, null, null, false, null, null,
                null, 0, null, null);
    }

    public ContainerRecord withRunning(long pid, long pidStartTime, long shimPid, long shimStartTime) {
        return new ContainerRecord(id, name, image, bundle, rootfs, status == null ? null : RUNNING, pid, pidStartTime, shimPid,
                shimStartTime, created, null, null, autoRemove, layerDir, annotations, cgroup, cgroupParents, cgroupBases, hooks);
    }

    public ContainerRecord withExited(int code, String at) {
        return new ContainerRecord(id, name, image, bundle, rootfs, EXITED, pid, pidStartTime, shimPid, shimStartTime, created,
                at, code, autoRemove, layerDir, annotations, cgroup, cgroupParents, cgroupBases, hooks);
    }

    public ContainerRecord withCreated(String at) {
        return new ContainerRecord(id, name, image, bundle, rootfs, status, pid, pidStartTime, shimPid, shimStartTime, at,
                finished, exitCode, autoRemove, layerDir, annotations, cgroup, cgroupParents, cgroupBases, hooks);
    }

    /** The cgroup as ContainerCgroups made it: its path, the parents it made, the bases of a relative path. */
    public ContainerRecord withCgroup(String path, int parents, Map<String, String> bases) {
        return new ContainerRecord(id, name, image, bundle, rootfs, status, pid, pidStartTime, shimPid, shimStartTime, created,
                finished, exitCode, autoRemove, layerDir, annotations, path, parents, bases, hooks);
    }

    public ContainerRecord withSpecParts(Map<String, String> annotations, ContainerSpec.Hooks hooks) {
        return new ContainerRecord(id, name, image, bundle, rootfs, status, pid, pidStartTime, shimPid, shimStartTime, created,
                finished, exitCode, autoRemove, layerDir, annotations, cgroup, cgroupParents, cgroupBases, hooks);
    }

    public String shortId() {
        return id.substring(0, Math.min(12, id.length()));
    }
}
