package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** image rm of an image a container was made from: refused, naming them; -f removes them first (podman's). */
class ImageInUseIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void anImageInUseIsKeptUntilForcedAndForceRemovesItsContainersFirst() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        String image = "inuse" + pid;
        String running = "inuserun" + pid;
        String stopped = "inusestop" + pid;
        assertEquals(0, Jbox.run("image", "build-default", "--name", image).code());
        assertEquals(0, Jbox.run("run", "-d", "--name", running, image, "sleep", "1000").code());
        assertEquals(0, Jbox.run("run", "--name", stopped, image, "true").code());

        Jbox.Result refused = Jbox.run("image", "rm", image);
        assertEquals(125, refused.code(), refused.all());
        assertTrue(refused.err().contains("image " + image + " is in use by container " + running + ", " + stopped)
                || refused.err().contains("image " + image + " is in use by container " + stopped + ", " + running), refused.all());
        assertTrue(Files.isDirectory(Jbox.DATA.resolve("images").resolve(image)), "the image is still there");
        Jbox.Result alive = Jbox.run("exec", running, "ls", "/bin/busybox");
        assertEquals(0, alive.code(), "the running container's / is intact: " + alive.all());

        Jbox.Result forced = Jbox.run("image", "rm", "-f", image);
        assertEquals(0, forced.code(), forced.all());
        assertTrue(forced.out().contains("removed container " + running) && forced.out().contains("removed container " + stopped),
                forced.all());
        assertFalse(Files.exists(Jbox.DATA.resolve("images").resolve(image)));
        String ps = Jbox.run("ps", "-a").out();
        assertFalse(ps.contains(running) || ps.contains(stopped), ps);
    }
}
