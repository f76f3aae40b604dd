package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Shared layers and `jbox commit` on the real kernel: overlay lowerdir stacks, whiteouts, removal. */
class ImageStoreIT {
    private static final Path LAYERS = Jbox.DATA.resolve("images/.layers");
    private static final String VOLUME = "store-it-vol" + ProcessHandle.current().pid();

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.run("rm", "-f", "store-it-a", "store-it-b", "store-it-c");
        Jbox.run("image", "rm", "store-a", "store-b", "store-changed");
        Jbox.run("volume", "rm", VOLUME);
        Jbox.cleanUp();
    }

    private static List<String> layers() throws Exception {
        try (Stream<Path> s = Files.list(LAYERS)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void ok(Jbox.Result r) {
        assertEquals(0, r.code(), r.all());
    }

    @Test
    void twoImagesOnOneBaseShareItsLayerBothRunAndRemovingOneKeepsIt() throws Exception {
        List<String> before = layers();
        ok(Jbox.run("run", "--name", "store-it-a", Jbox.IMAGE, "sh", "-c", "echo a > /which"));
        ok(Jbox.run("commit", "store-it-a", "store-a"));
        ok(Jbox.run("run", "--name", "store-it-b", Jbox.IMAGE, "sh", "-c", "echo b > /which"));
        ok(Jbox.run("commit", "store-it-b", "store-b"));

        List<String> after = layers();
        assertEquals(before.size() + 2, after.size(), "busybox's layer once, one new layer each: " + after);
        assertTrue(after.containsAll(before), "the base layer is the one busybox has");
        Jbox.Result a = Jbox.run("run", "--rm", "store-a", "sh", "-c", "cat /which; ls /bin/busybox");
        ok(a);
        assertEquals("a\n/bin/busybox\n", a.out());
        Jbox.Result b = Jbox.run("run", "--rm", "store-b", "cat", "/which");
        ok(b);
        assertEquals("b\n", b.out());

        ok(Jbox.run("image", "rm", "store-a"));
        assertEquals(before.size() + 1, layers().size(), "only store-a's own layer went");
        assertTrue(layers().containsAll(before));
        Jbox.Result still = Jbox.run("run", "--rm", "store-b", "sh", "-c", "cat /which; busybox true && echo base");
        ok(still);
        assertEquals("b\nbase\n", still.out());
    }

    @Test
    void aCommittedContainerShowsItsAddedChangedAndDeletedFiles() throws Exception {
        ok(Jbox.run("run", "--name", "store-it-c", Jbox.IMAGE, "sh", "-c",
                "echo new > /added && echo changed > /etc/group && rm /etc/passwd && mkdir -p /d && rm -r /tmp"
                        + " && mkdir /tmp && echo fresh > /tmp/only"));
        ok(Jbox.run("commit", "store-it-c", "store-changed"));

        Jbox.Result r = Jbox.run("run", "--rm", "store-changed", "sh", "-c",
                "cat /added /etc/group; ls /etc/passwd 2>&1; ls /tmp; stat -c %u:%g /added");
        ok(r);
        assertEquals("new\nchanged\nls: /etc/passwd: No such file or directory\nonly\n0:0\n", r.out());
        // a named volume is filled from the merged layers: the top layer's file, not the deleted one
        Jbox.Result v = Jbox.run("run", "--rm", "-v", VOLUME + ":/etc", "store-changed", "sh", "-c",
                "cat /etc/group; ls /etc/passwd 2>&1 || true");
        ok(v);
        assertEquals("changed\nls: /etc/passwd: No such file or directory\n", v.out());
        // the image it came from is untouched
        Jbox.Result base = Jbox.run("run", "--rm", Jbox.IMAGE, "sh", "-c", "ls /added 2>&1; head -c 5 /etc/passwd");
        assertEquals("ls: /added: No such file or directory\nroot:", base.out(), base.all());
        assertFalse(Jbox.run("commit", "no-such-container", "x").code() == 0);
    }
}
