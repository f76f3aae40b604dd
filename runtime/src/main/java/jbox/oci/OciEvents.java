package jbox.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import jbox.JboxException;
import jbox.runtime.ContainerCgroups;
import jbox.state.ContainerRecord;
import jbox.state.Status;

/**
 * runc's `events`: one JSON object a line, {"type":"stats","id":ID,"data":{...}} (data in runc's
 * types/events.go shape, see jbox.cgroup.CgroupStats) and {"type":"oom","id":ID}. containerd's
 * shim reads these for metrics and OOM events, by these exact names.
 */
public final class OciEvents {
    /** How often the stream looks at the OOM counter and the init between two stats. */
    private static final long POLL_MILLIS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OciLifecycle lifecycle;
    private final ContainerCgroups cgroups;

    public OciEvents(OciLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.cgroups = lifecycle.cgroups();
    }

    /** `events --stats`: one stats object. */
    public void stats(String id, PrintStream out) throws JboxException {
        ContainerRecord s = running(id);
        out.println(event("stats", id, cgroups.stats(s)));
        out.flush();
    }

    /**
     * `events [--interval D]`: stats every interval (the first after one interval, as runc) and
     * an oom event each time the memory cgroup's OOM kill count rises, until the container stops.
     */
    public void stream(String id, Duration interval, PrintStream out) throws JboxException {
        ContainerRecord s = running(id);
        long ooms = cgroups.oomKills(s);
        long next = System.nanoTime() + interval.toNanos();
        while (true) {
            if (lifecycle.status(s) == Status.STOPPED || !lifecycle.store().dir(id).toFile().isDirectory()) {
                return;
            }
            long now = cgroups.oomKills(s);
            for (; ooms < now; ooms++) {
                out.println(event("oom", id, null));
            }
            if (System.nanoTime() - next >= 0) {
                try {
                    out.println(event("stats", id, cgroups.stats(s)));
                } catch (JboxException gone) {
                    // the cgroup went with the container: the next round sees it stopped
                }
                next += interval.toNanos();
            }
            out.flush();
            try {
                Thread.sleep(Math.max(1, Math.min(POLL_MILLIS, (next - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ContainerRecord running(String id) throws JboxException {
        ContainerRecord s = lifecycle.store().load(id);
        if (lifecycle.status(s) == Status.STOPPED) { // runc's rule; created and paused ones have stats
            throw new JboxException("container " + id + " is not running");
        }
        return s;
    }

    /** One event line: type, id, and data unless null (runc's omitempty). */
    static String event(String type, String id, Map<String, Object> data) throws JboxException {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("type", type);
        e.put("id", id);
        if (data != null) {
            e.put("data", data);
        }
        try {
            return JSON.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new JboxException("cannot write the " + type + " event of " + id + ": " + ex.getOriginalMessage(), ex);
        }
    }
}
