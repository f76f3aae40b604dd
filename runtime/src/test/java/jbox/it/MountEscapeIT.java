package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Writes through mounts that were meant to be read-only: the mounts a recursive bind carries
 * along (--net host's /sys brings the host's cgroup hierarchies; a -v :ro source may have mounts
 * below it), and --tmpfs options that would turn the tmpfs into a bind.
 */
class MountEscapeIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    @Test
    void netHostCannotWriteTheHostsCgroupTree() throws Exception {
        Path escape = Path.of("/sys/fs/cgroup/pids/jbox-escape-test");
        Path hostPids = Path.of("/sys/fs/cgroup/pids/cgroup.procs");
        // Host root in the container (--userns host) is the worst case: only the mount stops it.
        try {
            Jbox.Result r = Jbox.run("run", "--rm", "--net", "host", "--userns", "host", Jbox.IMAGE, "sh", "-c",
                    "mkdir " + escape + "; echo mkdir=$?; echo $$ > " + hostPids + "; echo move=$?; "
                            + "touch /sys/fs/cgroup/jbox-escape-file; echo touch=$?");
            assertEquals(0, r.code(), r.all());
            assertEquals("mkdir=1\nmove=1\ntouch=1\n", r.out(), r.all());
            assertTrue(r.err().contains("Read-only file system"), r.all());
            assertFalse(Files.exists(escape), "the container made a cgroup in the host's tree");
        } finally {
            Files.deleteIfExists(escape);
        }
    }

    @Test
    void aMountBelowAReadOnlyVolumeIsReadOnlyToo() throws Exception {
        Path dir = Files.createTempDirectory("jbox-ro-volume");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("", Jbox.host("mount", "-t", "tmpfs", "-o", "mode=0777,size=1m", "jbox-it", sub.toString()));
        try {
            Jbox.Result r = Jbox.run("run", "--rm", "-v", dir + ":/v:ro", Jbox.IMAGE, "sh", "-c",
                    "touch /v/sub/written; echo sub=$?; touch /v/top; echo top=$?");
            assertEquals(0, r.code(), r.all());
            assertEquals("sub=1\ntop=1\n", r.out(), r.all());
            assertTrue(r.err().contains("/v/sub/written: Read-only file system"), r.all());
            assertFalse(Files.exists(sub.resolve("written")), "the container wrote below a read-only volume");
        } finally {
            Jbox.host("umount", sub.toString());
            Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
        }
    }

    @Test
    void tmpfsTakesTmpfsOptionsOnly() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--tmpfs", "/t:bind", Jbox.IMAGE, "true");
        assertEquals(125, r.code(), r.all());
        assertEquals("jbox: --tmpfs /t:bind: \"bind\" is not a tmpfs option\n", r.err(), r.all());
        Jbox.Result ok = Jbox.run("run", "--rm", "--tmpfs", "/t:size=1m,mode=700", Jbox.IMAGE, "sh", "-c",
                "grep ' /t ' /proc/mounts");
        assertEquals(0, ok.code(), ok.all());
        assertTrue(ok.out().startsWith("tmpfs /t tmpfs rw") && ok.out().contains("mode=700"), ok.all());
    }
}
