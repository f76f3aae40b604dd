package jbox.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OCI CLI's state root: ids, state.json through the streaming codec, hooks beside it. */
class OciStoreTest {
    @TempDir
    Path tmp;

    @Test
    void stateRoundTripsWithHooksKeptApart() throws Exception {
        OciStore store = new OciStore(tmp.resolve("root"));
        store.create("c1");
        ContainerSpec.Hooks hooks = new ContainerSpec.Hooks(null, null, null, null, null,
                List.of(new ContainerSpec.Hook("/bin/true", List.of("true"), null, 3)));
        OciState s = new OciState("c1", 42, 7, "/b", "/b/rootfs", "2026-01-01T00:00:00Z", Map.of("a", "b"),
                "/x/c1", 1, Map.of("memory", "/process_api/6fc5", "pids", "/"), hooks);
        store.write(s);
        assertEquals(s, store.load("c1"));
        assertTrue(Files.exists(store.dir("c1").resolve("hooks.json")));
        OciState plain = new OciState("c1", 42, 7, "/b", null, null, null, null, 0, null);
        store.create("c2");
        store.write(new OciState("c2", 1, 2, "/b", null, null, null, null, 0, null));
        assertEquals(new OciState("c2", 1, 2, "/b", null, null, null, null, 0, null), store.load("c2"));
        assertFalse(Files.exists(store.dir("c2").resolve("hooks.json")));
        assertEquals("c1", plain.id());
    }

    @Test
    void idsAreCheckedAndTakenOnce() throws Exception {
        OciStore store = new OciStore(tmp.resolve("root"));
        store.create("a.b_c-1+2");
        JboxException twice = assertThrows(JboxException.class, () -> store.create("a.b_c-1+2"));
        assertEquals("container a.b_c-1+2 already exists", twice.getMessage());
        for (String bad : List.of("../x", "", "-a", "a/b", ".hidden")) {
            assertThrows(JboxException.class, () -> store.create(bad), bad);
        }
        assertEquals(List.of("a.b_c-1+2"), store.ids());
        assertEquals("container nope does not exist", assertThrows(JboxException.class, () -> store.load("nope")).getMessage());
    }

    @Test
    void aCreateHoldsItsLockFromTheFirstMomentAndLeavesNoTemporaryDirectory() throws Exception {
        OciStore store = new OciStore(tmp.resolve("root"));
        try (jbox.io.LockFile lock = store.create("x")) {
            assertTrue(store.createLocked("x"), "locked as soon as ROOT/ID exists");
            try (var entries = Files.list(store.root())) {
                assertEquals(List.of("x"), entries.map(p -> p.getFileName().toString()).toList());
            }
        }
        assertFalse(store.createLocked("x"));
        Path stale = Files.createDirectory(store.root().resolve(".y.12345")); // a create killed before its rename
        assertEquals(List.of("x"), store.ids(), "creates in progress are not containers");
        assertEquals(List.of(".y.12345"), store.removeStaleCreates());
        assertFalse(Files.exists(stale));
    }

    @Test
    void theRootGoesWithItsLastContainer() throws Exception {
        OciStore store = new OciStore(tmp.resolve("root"));
        store.create("a");
        store.create("b");
        store.remove("a");
        assertTrue(Files.isDirectory(store.root()));
        store.remove("b");
        assertFalse(Files.exists(store.root()));
        store.create("c"); // and comes back with the next one
        assertTrue(Files.isDirectory(store.dir("c")));
    }

    @Test
    void aStateWithoutPidIsCreatingAndTheStateJsonFollowsTheRuntimeSpec() throws Exception {
        OciState s = new OciState("c", 0, 0, "/b", "/r", null, null, null, 0, null);
        assertEquals(OciState.CREATING, s.status(false));
        String json = OciLifecycle.stateJson(new OciState("c", 5, 9, "/b", "/r", "t", Map.of("k", "v"), null, 0, null),
                OciState.STOPPED);
        com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals("1.0.2", n.get("ociVersion").asText());
        assertEquals("stopped", n.get("status").asText());
        assertEquals(0, n.get("pid").asLong(), "a stopped container has no pid");
        assertEquals("v", n.get("annotations").get("k").asText());
    }
}
