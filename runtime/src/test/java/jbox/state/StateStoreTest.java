package jbox.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import jbox.io.LockFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State directories as other jbox commands see them while containers come and go. */
class StateStoreTest {
    @TempDir
    Path root;

    @Test
    void aContainerRemovedWhileListingIsSkippedNotAnError() throws Exception {
        StateStore store = new StateStore(root);
        String id = "d".repeat(64);
        try (LockFile lock = store.create(id)) {
            // the directory exists but its state is gone (its jbox removed it, or never wrote it)
            assertNull(store.read(id));
            assertTrue(store.list().isEmpty());
        }
    }

    @Test
    void writtenStateIsReadBackAndFoundByNameOrPrefix() throws Exception {
        StateStore store = new StateStore(root);
        String id = "e".repeat(64);
        try (LockFile lock = store.create(id)) {
            ContainerState s = new ContainerState(id, "web", "busybox", ContainerState.RUNNING, 5, 9, 4, 3, "t", null, null, false, null);
            store.write(s);
            assertEquals(s, store.read(id));
            assertEquals(s, store.find("web"));
            assertEquals(s, store.find("eeee"));
            assertTrue(Files.exists(root.resolve(id).resolve("state.json")));
            assertTrue(!Files.exists(root.resolve(id).resolve("state.json.tmp")), "temp file renamed away");
        }
    }
}
