package jbox.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The streaming writer and reader agree on every field, set or unset, for both CLIs' records. */
class StateJsonTest {
    private static ContainerRecord roundTrip(ContainerRecord s) throws Exception {
        return StateJson.read(StateJson.write(s));
    }

    @Test
    void aRunningContainerOfJboxRunRoundTrips() throws Exception {
        ContainerRecord s = ContainerRecord.ofImage("a".repeat(64), "web", "busybox", "2026-11-28T14:00:00Z", true,
                "/var/lib/jbox/containers/x").withRunning(42, 777, 41, 123456).withCgroup("/jbox/" + "a".repeat(64), 0, null);
        assertEquals(s, roundTrip(s));
        assertEquals(ContainerRecord.RUNNING, roundTrip(s).status());
    }

    @Test
    void anExitedContainerWithoutNameRoundTrips() throws Exception {
        ContainerRecord s = ContainerRecord.ofImage("b".repeat(64), null, null, "2026-11-28T14:00:00Z", false, null)
                .withRunning(7, 8, 6, 5).withExited(137, "2026-11-28T14:00:01Z");
        assertEquals(s, roundTrip(s));
    }

    @Test
    void aContainerOfTheOciCliRoundTripsWithItsCgroupAndAnnotationsInOrder() throws Exception {
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("z", "1");
        annotations.put("a", "2");
        annotations.put("m", "3");
        ContainerRecord s = ContainerRecord.ofBundle("c1", "/b", "/b/rootfs").withRunning(42, 7, 0, 0)
                .withCreated("2026-01-01T00:00:00Z").withCgroup("/x/c1", 1, Map.of("memory", "/process_api/6fc5", "pids", "/"))
                .withSpecParts(annotations, null);
        ContainerRecord back = roundTrip(s);
        assertEquals(s, back);
        assertNull(back.status(), "the OCI CLI's records carry no recorded status");
        assertEquals(List.of("z", "a", "m"), List.copyOf(back.annotations().keySet()));
    }

    @Test
    void textIsEscaped() throws Exception {
        ContainerRecord s = ContainerRecord.ofImage("c".repeat(64), "quote\"and\\slash", "img", "t", false, null);
        assertEquals(s, roundTrip(s));
    }

    @Test
    void anOciStateOfTheFormerStoreIsReadWithItsCreationTimeAndUnknownFieldsSkipped() throws Exception {
        String old = "{\"id\":\"c2\",\"pid\":5,\"pidStartTime\":9,\"bundle\":\"/b\",\"rootfs\":\"/r\",\"created\":\"t\","
                + "\"future\":{\"x\":[1,2]},\"cgroup\":\"/jbox/c2\",\"cgroupParents\":0}";
        ContainerRecord s = StateJson.read(old.getBytes(StandardCharsets.UTF_8));
        assertEquals("t", s.created(), "without it prune would take the container for an interrupted create");
        assertEquals(5, s.pid());
        assertEquals("/jbox/c2", s.cgroup());
    }

    @Test
    void theFileKeepsTheKeysJboxInspectShows() throws Exception {
        ContainerRecord s = ContainerRecord.ofImage("d".repeat(64), "n", "i", "t0", false, "/l").withRunning(1, 2, 3, 4)
                .withExited(0, "t1");
        JsonNode n = new ObjectMapper().readTree(StateJson.write(s));
        for (String key : List.of("id", "name", "image", "status", "pid", "pidStartTime", "shimPid", "shimStartTime",
                "createdAt", "finishedAt", "exitCode", "autoRemove", "layerDir")) {
            assertEquals(true, n.has(key), key + " in " + n);
        }
        assertEquals(false, n.has("cgroup"), "none recorded: " + n);
    }
}
