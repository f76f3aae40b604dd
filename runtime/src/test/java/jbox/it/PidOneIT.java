package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PID 1 semantics with and without jbox's built-in init (--init). */
class PidOneIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void withInitTheCommandIsPid2UnderInit() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--init", Jbox.IMAGE, "sh", "-c", "echo $$; ps -o pid,comm; exit 7");
        assertEquals(7, r.code(), r.all());
        List<String> lines = r.out().lines().toList();
        assertEquals("2", lines.get(0));
        assertTrue(lines.get(2).trim().matches("1 +init"), r.out());
    }

    @Test
    void sigtermStopsASleepAtOnceUnderInitButNotAsPid1() throws Exception {
        String name = Containers.uniqueName("init");
        Process p = Jbox.start("run", "--rm", "--init", "--name", name, Jbox.IMAGE, "sleep", "600");
        Containers.awaitChildExec(Containers.awaitRunning(name).path("pid").asLong(), "sleep");
        Jbox.host("kill", "-TERM", Long.toString(p.pid()));
        // 143 = 128+TERM: SIGTERM ended it (sleep 600 outlasts finish's wait, so it cannot have run out)
        Jbox.Result r = Jbox.finish(p);
        assertEquals(143, r.code(), "sleep got SIGTERM's default action through init: " + r.all());
    }

    @Test
    void aWorkloadKilledBySignalGives128PlusNThroughInit() throws Exception {
        String name = Containers.uniqueName("initkill");
        Process p = Jbox.start("run", "--rm", "--init", "--name", name, Jbox.IMAGE, "sh", "-c", "echo ready; kill -USR1 $$; sleep 5");
        RunIT.waitForOutputStart(p);
        Jbox.Result r = Jbox.finish(p);
        assertEquals(128 + 10, r.code(), "SIGUSR1 is not ignored by a PID 2: " + r.all());
        JsonNode gone = Containers.find(name);
        assertEquals(null, gone, "--rm removed the state");
    }
}
