package jbox.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.io.LockFile;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State directories of both roots as other jbox commands see them while containers come and go. */
class StateStoreTest {
    @TempDir
    Path tmp;

    @Test
    void aContainerRemovedWhileListingIsSkippedNotAnError() throws Exception {
        StateStore store = StateStore.ofRun(tmp.resolve("run"));
        String id = "d".repeat(64);
        try (LockFile lock = store.create(id)) {
            // the directory exists but its state is gone (its jbox removed it, or never wrote it)
            assertNull(store.read(id));
            assertTrue(store.list().isEmpty());
        }
    }

    @Test
    void writtenStateIsReadBackAndFoundByNameOrPrefix() throws Exception {
        StateStore store = StateStore.ofRun(tmp.resolve("run"));
        String id = "e".repeat(64);
        try (LockFile lock = store.create(id)) {
            ContainerRecord s = ContainerRecord.ofImage(id, "web", "busybox", "t", false, null).withRunning(5, 9, 4, 3);
            store.write(s);
            assertEquals(s, store.read(id));
            assertEquals(s, store.find("web"));
            assertEquals(s, store.find("eeee"));
            assertTrue(Files.exists(store.dir(id).resolve("state.json")));
            try (var entries = Files.list(store.dir(id))) {
                assertEquals(List.of("lock", "state.json"), entries.map(p -> p.getFileName().toString()).sorted().toList(),
                        "temp file renamed away");
            }
        }
    }

    @Test
    void theRunRootListsOnlyContainerIdsAndIsKept() throws Exception {
        StateStore store = StateStore.ofRun(tmp.resolve("run"));
        String id = "f".repeat(64);
        store.create(id).close();
        Files.createDirectory(store.root().resolve("not-a-container"));
        assertEquals(List.of(id), store.ids());
        store.remove(id);
        assertTrue(Files.isDirectory(store.root()), "state.root stays: it holds names.lock, leases, ...");
    }

    @Test
    void stateRoundTripsWithHooksKeptApart() throws Exception {
        StateStore store = StateStore.ofOci(tmp.resolve("root"));
        store.create("c1").close();
        ContainerSpec.Hooks hooks = new ContainerSpec.Hooks(null, null, null, null, null,
                List.of(new ContainerSpec.Hook("/bin/true", List.of("true"), null, 3)));
        ContainerRecord s = ContainerRecord.ofBundle("c1", "/b", "/b/rootfs").withRunning(42, 7, 0, 0)
                .withCreated("2026-01-01T00:00:00Z").withCgroup("/x/c1", 1, Map.of("memory", "/process_api/6fc5", "pids", "/"))
                .withSpecParts(Map.of("a", "b"), hooks);
        store.write(s);
        assertEquals(s, store.load("c1"));
        assertTrue(Files.exists(store.dir("c1").resolve("hooks.json")));
        store.create("c2").close();
        ContainerRecord plain = ContainerRecord.ofBundle("c2", "/b", null).withRunning(1, 2, 0, 0);
        store.write(plain);
        assertEquals(plain, store.load("c2"));
        assertFalse(Files.exists(store.dir("c2").resolve("hooks.json")));
    }

    @Test
    void idsAreCheckedAndTakenOnce() throws Exception {
        StateStore store = StateStore.ofOci(tmp.resolve("root"));
        store.create("a.b_c-1+2").close();
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
        StateStore store = StateStore.ofOci(tmp.resolve("root"));
        try (LockFile lock = store.create("x")) {
            assertTrue(store.ownerLocked("x"), "locked as soon as ROOT/ID exists");
            assertTrue(store.isOwned("x"));
            assertEquals(Status.CREATING, store.status(store.load("x")), "a directory without state: its create runs");
            try (var entries = Files.list(store.root())) {
                assertEquals(List.of("x"), entries.map(p -> p.getFileName().toString()).toList());
            }
        }
        assertFalse(store.ownerLocked("x"));
        Path stale = Files.createDirectory(store.root().resolve(".y.12345")); // a create killed before its rename
        assertEquals(List.of("x"), store.ids(), "creates in progress are not containers");
        assertEquals(List.of(".y.12345"), store.removeStaleCreates());
        assertFalse(Files.exists(stale));
    }

    @Test
    void theOciRootGoesWithItsLastContainer() throws Exception {
        StateStore store = StateStore.ofOci(tmp.resolve("root"));
        store.create("a").close();
        store.create("b").close();
        store.remove("a");
        assertTrue(Files.isDirectory(store.root()));
        store.remove("b");
        assertFalse(Files.exists(store.root()));
        store.create("c").close(); // and comes back with the next one
        assertTrue(Files.isDirectory(store.dir("c")));
    }

    /** The status comes from the kernel (the recorded process, the FIFO), whatever the file says. */
    @Test
    void theStatusIsReadOffTheKernel() throws Exception {
        StateStore store = StateStore.ofOci(tmp.resolve("root"));
        store.create("k").close();
        Process p = new ProcessBuilder("sleep", "1000").start();
        try {
            long start = ProcFile.startTime(p.pid());
            ContainerRecord s = ContainerRecord.ofBundle("k", "/b", null).withRunning(p.pid(), start, 0, 0);
            assertEquals(Status.CREATING, store.status(ContainerRecord.ofBundle("k", "/b", null)));
            assertEquals(Status.RUNNING, store.status(s));
            Files.createFile(store.fifo("k"));
            assertEquals(Status.CREATED, store.status(s), "alive and waiting on the start FIFO");
            Files.delete(store.fifo("k"));
            assertEquals(Status.STOPPED, store.status(ContainerRecord.ofBundle("k", "/b", null).withRunning(p.pid(), start + 1, 0, 0)),
                    "the pid names a process that started at another time: not ours");
            ContainerRecord saysExited = s.withExited(0, "t");
            assertEquals(Status.RUNNING, store.status(saysExited), "what the file says does not count");
            p.destroyForcibly().waitFor();
            assertEquals(Status.STOPPED, store.status(s));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** A state.json whose pid names another process (reused, or edited) is never taken for the container. */
    @Test
    void aRecordedPidThatNamesAnotherProcessIsNotRunning() throws Exception {
        StateStore store = StateStore.ofRun(tmp.resolve("run"));
        String id = "9".repeat(64);
        Process other = new ProcessBuilder("sleep", "1000").start();
        try (LockFile owner = store.create(id)) {
            long start = ProcFile.startTime(other.pid());
            store.write(ContainerRecord.ofImage(id, "reuse", "i", "t", false, null).withRunning(other.pid(), start + 1, 0, 0));
            JboxException e = assertThrows(JboxException.class, () -> store.findRunning("reuse"));
            assertEquals("container reuse is not running", e.getMessage());
            assertEquals("exited", store.runStatus(store.find("reuse"), true));
            store.write(ContainerRecord.ofImage(id, "reuse", "i", "t", false, null).withRunning(other.pid(), start, 0, 0));
            assertEquals(other.pid(), store.findRunning("reuse").pid());
            assertEquals("running", store.runStatus(store.find("reuse"), true));
        } finally {
            other.destroyForcibly().waitFor();
        }
        assertEquals("dead", store.runStatus(store.find("reuse"), false), "no owner, no exit code");
        store.write(store.find("reuse").withExited(3, "t2"));
        assertEquals("exited", store.runStatus(store.find("reuse"), false));
    }
}
