package jbox.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import jbox.state.ContainerRecord;
import jbox.state.Status;
import org.junit.jupiter.api.Test;

/** The state object `state` prints, as the runtime-spec defines it, from the one record. */
class OciStateJsonTest {
    @Test
    void theStateFollowsTheRuntimeSpec() throws Exception {
        ContainerRecord s = ContainerRecord.ofBundle("c", "/b", "/r").withRunning(5, 9, 0, 0).withCreated("t")
                .withSpecParts(Map.of("k", "v"), null);
        JsonNode n = new ObjectMapper().readTree(OciLifecycle.stateJson(s, Status.STOPPED));
        assertEquals(List.of("ociVersion", "id", "status", "pid", "bundle", "rootfs", "created", "annotations"),
                List.copyOf(iterable(n.fieldNames())));
        assertEquals("1.0.2", n.get("ociVersion").asText());
        assertEquals("stopped", n.get("status").asText());
        assertEquals(0, n.get("pid").asLong(), "a stopped container has no pid");
        assertEquals("v", n.get("annotations").get("k").asText());
        assertEquals("t", n.get("created").asText());
        JsonNode running = new ObjectMapper().readTree(OciLifecycle.stateJson(s, Status.RUNNING));
        assertEquals(5, running.get("pid").asLong());
        assertEquals("running", running.get("status").asText());
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
