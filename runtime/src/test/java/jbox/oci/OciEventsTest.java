package jbox.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event line as runc's encoder writes it: type, id, and data only when there is some. */
class OciEventsTest {
    @Test
    void oomHasNoData() throws Exception {
        assertEquals("{\"type\":\"oom\",\"id\":\"c1\"}", OciEvents.event("oom", "c1", null));
    }

    @Test
    void statsCarryTheirDataAfterTypeAndId() throws Exception {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("pids", Map.of("current", 2));
        data.put("network_interfaces", null);
        assertEquals("{\"type\":\"stats\",\"id\":\"c1\",\"data\":{\"pids\":{\"current\":2},\"network_interfaces\":null}}",
                OciEvents.event("stats", "c1", data));
    }
}
