package jbox.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The streaming writer and the record reader agree on every field, set or unset. */
class StateJsonTest {
    private static final ObjectMapper READER = new ObjectMapper();

    @Test
    void aRunningStateRoundTrips() throws Exception {
        ContainerState s = new ContainerState("a".repeat(64), "web", "busybox", ContainerState.RUNNING, 42, 777, 41, 123456,
                "2026-11-28T14:00:00Z", null, null, true, "/var/lib/jbox/containers/x");
        assertEquals(s, READER.readValue(StateJson.write(s), ContainerState.class));
    }

    @Test
    void anExitedStateWithoutNameRoundTrips() throws Exception {
        ContainerState s = new ContainerState("b".repeat(64), null, null, ContainerState.EXITED, 7, 8, 6, 5,
                "2026-11-28T14:00:00Z", "2026-11-28T14:00:01Z", 137, false, null);
        assertEquals(s, READER.readValue(StateJson.write(s), ContainerState.class));
    }

    @Test
    void textIsEscaped() throws Exception {
        ContainerState s = new ContainerState("c".repeat(64), "quote\"and\\slash", "img", ContainerState.CREATED, 0, 0, 0, 0,
                "t", null, null, false, null);
        assertEquals(s, READER.readValue(StateJson.write(s), ContainerState.class));
    }
}
