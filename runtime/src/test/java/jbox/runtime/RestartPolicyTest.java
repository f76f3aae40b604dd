package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartPolicyTest {
    @Test
    void parsesDockersPoliciesAndRefusesOthers() throws Exception {
        assertEquals("on-failure:3", RestartPolicy.parse("on-failure:3").toString());
        assertEquals("always", RestartPolicy.parse("always").toString());
        assertEquals(RestartPolicy.Kind.NO, RestartPolicy.parse("no").kind());
        assertThrows(JboxException.class, () -> RestartPolicy.parse("always:3"));
        assertThrows(JboxException.class, () -> RestartPolicy.parse("on-failure:-1"));
        assertThrows(JboxException.class, () -> RestartPolicy.parse("on-failure:x"));
        assertThrows(JboxException.class, () -> RestartPolicy.parse("sometimes"));
    }

    @Test
    void onFailureCountsAndAUserStopWins() throws Exception {
        RestartPolicy p = RestartPolicy.parse("on-failure:2");
        assertTrue(new RestartPolicy.State(p, 1, false).due(1));
        assertFalse(new RestartPolicy.State(p, 2, false).due(1), "at its count");
        assertFalse(new RestartPolicy.State(p, 0, false).due(0), "success");
        assertFalse(new RestartPolicy.State(RestartPolicy.parse("always"), 0, true).due(1), "stopped by a user");
        assertTrue(new RestartPolicy.State(RestartPolicy.parse("always"), 5, false).due(0));
        assertEquals(100, new RestartPolicy.State(p, 0, false).delayMillis());
        assertEquals(RestartPolicy.MAX_DELAY_MILLIS, new RestartPolicy.State(p, 40, false).delayMillis());
    }

    @Test
    void theRecordSurvivesARoundTripAndAStopMark(@TempDir Path dir) throws Exception {
        assertEquals(RestartPolicy.Kind.NO, RestartPolicy.read(dir).policy().kind(), "nothing recorded");
        RestartPolicy.markStopped(dir, true); // without a policy: nothing to write
        assertEquals(RestartPolicy.Kind.NO, RestartPolicy.read(dir).policy().kind());
        RestartPolicy.parse("on-failure:4").write(dir);
        RestartPolicy.counted(dir, RestartPolicy.read(dir));
        RestartPolicy.markStopped(dir, true);
        RestartPolicy.State s = RestartPolicy.read(dir);
        assertEquals("on-failure:4", s.policy().toString());
        assertEquals(1, s.count());
        assertTrue(s.stopped());
    }
}
