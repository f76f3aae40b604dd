package jbox.state;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What jbox records about one container in /run/jbox/ID/state.json. The init's and the shim's pids
 * come with their start times (from /proc/PID/stat) so a reused pid is never mistaken for them:
 * nothing is signalled or entered unless its start time is still the recorded one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerState(
        String id,
        String name,
        String image,
        String status,
        long pid,
        long pidStartTime,
        long shimPid,
        long shimStartTime,
        String createdAt,
        String finishedAt,
        Integer exitCode,
        boolean autoRemove,
        String layerDir) {

    public static final String CREATED = "created";
    public static final String RUNNING = "running";
    public static final String EXITED = "exited";

    public ContainerState withRunning(long pid, long pidStartTime, long shimPid, long shimStartTime) {
        return new ContainerState(id, name, image, RUNNING, pid, pidStartTime, shimPid, shimStartTime, createdAt, null, null, autoRemove, layerDir);
    }

    public ContainerState withExited(int code, String at) {
        return new ContainerState(id, name, image, EXITED, pid, pidStartTime, shimPid, shimStartTime, createdAt, at, code, autoRemove, layerDir);
    }

    public String shortId() {
        return id.substring(0, 12);
    }
}
