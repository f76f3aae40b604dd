package jbox.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LockFile against the kernel's fcntl locks, seen from a second process (LockProbe). */
class LockFileTest {
    @TempDir
    Path dir;

    private static ProcessBuilder probe(String mode, Path file) {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(),
                mode, file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** What another process finds: "held" or "free". */
    private static String seenByAnotherProcess(Path file) throws Exception {
        Process p = probe("probe", file).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void askingWhetherOwnLockIsHeldKeepsIt() throws Exception {
        Path file = dir.resolve("lock");
        try (LockFile held = LockFile.acquire(file)) {
            assertEquals("held", seenByAnotherProcess(file));
            assertTrue(LockFile.isHeld(file));
            assertTrue(LockFile.isHeld(dir.resolve(".").resolve("lock")), "another spelling of the same file");
            // POSIX drops a process's fcntl locks when it closes any descriptor of the file: a probe
            // that opened and closed one here gave the lock away while saying it was held.
            assertEquals("held", seenByAnotherProcess(file));
        }
        assertEquals("free", seenByAnotherProcess(file));
        assertFalse(LockFile.isHeld(file));
    }

    /** OCI create locks ROOT/.ID.PID/create.lock and renames the directory to ROOT/ID. */
    @Test
    void aHeldLockWhoseDirectoryWasRenamedIsStillKnownAndKept() throws Exception {
        Path before = dir.resolve("temp").resolve("lock");
        try (LockFile held = LockFile.acquire(before)) {
            Files.move(dir.resolve("temp"), dir.resolve("final"));
            Path after = dir.resolve("final").resolve("lock");
            assertTrue(LockFile.isHeld(after));
            assertEquals("held", seenByAnotherProcess(after));
            try (LockFile again = LockFile.acquire(before)) { // a new file at the old path: another lock
                assertEquals("held", seenByAnotherProcess(before));
            }
            assertEquals("held", seenByAnotherProcess(after));
        }
    }

    @Test
    void seesALockOfAnotherProcess() throws Exception {
        Path file = dir.resolve("lock");
        Files.createFile(file);
        Process holder = probe("hold", file).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            assertTrue(LockFile.isHeld(file));
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
        }
        assertFalse(LockFile.isHeld(file));
        assertFalse(LockFile.isHeld(dir.resolve("missing")));
    }

    @Test
    void anotherThreadWaitsForTheLockAsAnotherProcessWould() throws Exception {
        Path file = dir.resolve("lock");
        AtomicReference<Object> second = new AtomicReference<>();
        LockFile first = LockFile.acquire(file);
        Thread t = new Thread(() -> {
            try (LockFile l = LockFile.acquire(file)) {
                second.set(seenByAnotherProcess(file));
            } catch (Exception e) {
                second.set(e);
            }
        });
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.getState() != Thread.State.WAITING && t.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, t.getState());
        assertEquals(null, second.get());
        first.close();
        t.join(TimeUnit.SECONDS.toMillis(60));
        assertEquals("held", second.get());
    }

    @Test
    void theSameThreadAskingTwiceIsAnErrorNotADeadlock() throws Exception {
        Path file = dir.resolve("lock");
        try (LockFile held = LockFile.acquire(file)) {
            IOException e = assertThrows(IOException.class, () -> LockFile.acquire(file));
            assertTrue(e.getMessage().contains("already held by this thread"), e.getMessage());
            assertEquals("held", seenByAnotherProcess(file));
        }
    }
}
