package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * -v as a docker or podman user types it, on the real kernel: host directories writable by the
 * container's root (idmapped by default, :U chowned, :noidmap as before), relative sources, :z/:Z,
 * and named volumes from first use to `volume rm`.
 */
class VolumesIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @BeforeEach
    void traversableTemp() throws Exception {
        Files.setAttribute(tmp, "unix:mode", 0755); // the container's root must pass it on the way to a source
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    private static int uid(Path p) throws Exception {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aRootOwnedHostDirectoryIsTheContainerRootsThroughAnIdmapOnExt4AndTmpfs() throws Exception {
        Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "jbox-it-vol");
        try {
            for (Path dir : List.of(Files.createDirectories(tmp.resolve("ext4")), shm)) {
                Files.setAttribute(dir, "unix:mode", 0755);
                Files.writeString(dir.resolve("in"), "from-host\n");
                Jbox.Result r = Jbox.run("run", "--rm", "-v", dir + ":/data", Jbox.IMAGE, "sh", "-c",
                        "stat -c '%u %g' /data/in; echo out > /data/out && echo wrote");
                assertEquals(0, r.code(), r.all());
                assertEquals("0 0\nwrote\n", r.out(), dir + ": host root's file is the container root's: " + r.all());
                assertEquals(0, uid(dir.resolve("out")), "what the container's root writes is host root's, as with docker");
                assertEquals("out\n", Files.readString(dir.resolve("out")));
            }
        } finally {
            Files.deleteIfExists(shm.resolve("in"));
            Files.deleteIfExists(shm.resolve("out"));
            Files.deleteIfExists(shm);
        }
    }

    @Test
    void noidmapKeepsThePlainBindWhereHostRootIsNobody() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        Files.setAttribute(dir, "unix:mode", 0755);
        Files.writeString(dir.resolve("in"), "x");
        Jbox.Result r = Jbox.run("run", "--rm", "-v", dir + ":/data:noidmap", Jbox.IMAGE, "sh", "-c",
                "stat -c '%u' /data/in; touch /data/out 2>&1; true");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().startsWith("65534\n") && r.out().contains("Permission denied"), r.all());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void uChownsTheSourceToTheContainersRootOnTheHost() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("u").resolve("sub"));
        Files.writeString(dir.resolve("f"), "x");
        Jbox.Result r = Jbox.run("run", "--rm", "-v", dir.getParent() + ":/u:U", Jbox.IMAGE, "sh", "-c",
                "stat -c '%u' /u/sub/f; touch /u/sub/g && echo wrote");
        assertEquals("0\nwrote\n", r.out(), r.all());
        for (Path p : List.of(dir.getParent(), dir, dir.resolve("f"), dir.resolve("g"))) {
            assertEquals(100000, uid(p), p + " belongs to the container's root on the host");
        }
    }

    @Test
    void aRelativeSourceIsTheCallersAndZIsAccepted() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rel"));
        Files.writeString(dir.resolve("marker"), "here\n");
        ProcessBuilder pb = Jbox.builder("run", "--rm", "-v", "./rel:/r:ro,z", "-v", ".:/t:Z", Jbox.IMAGE,
                "cat", "/r/marker", "/t/rel/marker").directory(tmp.toFile());
        Jbox.Result r = Jbox.finish(pb.start());
        assertEquals("here\nhere\n", r.out(), r.all());
    }

    @Test
    void aFileSystemThatCannotBeIdmappedSaysWhatToDoInstead() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "-v", "/sys/kernel:/k", Jbox.IMAGE, "true");
        assertEquals(125, r.code(), r.all());
        assertTrue(r.err().contains("idmap-mount /sys/kernel on /k failed: invalid argument (EINVAL);")
                && r.err().contains(":U"), r.all());
        Jbox.Result plain = Jbox.run("run", "--rm", "-v", "/sys/kernel:/k:ro,noidmap", Jbox.IMAGE, "test", "-d", "/k/mm");
        assertEquals(0, plain.code(), plain.all());
    }

    @Test
    void aNamedVolumeIsMadeFromTheImageOnFirstUseKeptAndRefusedRemovalWhileUsed() throws Exception {
        String vol = "itvol" + ProcessHandle.current().pid();
        String holder = "itvolholder" + ProcessHandle.current().pid();
        Jbox.Result first = Jbox.run("run", "--rm", "-v", vol + ":/etc", Jbox.IMAGE, "sh", "-c",
                "stat -c '%u' /etc/passwd; echo kept > /etc/mine");
        assertEquals("0\n", first.out(), "filled from the image's /etc, owned by the container's root: " + first.all());
        Path data = Jbox.DATA.resolve("volumes").resolve(vol).resolve("_data");
        assertEquals(100000, uid(data));
        assertEquals(0710, (Integer) Files.getAttribute(data.getParent(), "unix:mode") & 07777);
        assertEquals("kept\n", Jbox.run("run", "--rm", "-v", vol + ":/v", Jbox.IMAGE, "cat", "/v/mine").out());
        assertTrue(Jbox.run("volume", "ls").out().contains(vol));

        Jbox.Result d = Jbox.run("run", "-d", "--name", holder, "-v", vol + ":/v", Jbox.IMAGE, "sleep", "1000");
        assertEquals(0, d.code(), d.all());
        try {
            Jbox.Result refused = Jbox.run("volume", "rm", vol);
            assertEquals(125, refused.code(), refused.all());
            assertTrue(refused.err().contains("volume " + vol + " is in use by container " + holder), refused.all());
            assertTrue(Jbox.run("volume", "inspect", vol).out().contains("\"" + holder + "\""));
        } finally {
            assertEquals(0, Jbox.run("rm", "-f", holder).code());
        }
        Jbox.Result rm = Jbox.run("volume", "rm", vol);
        assertEquals(0, rm.code(), rm.all());
        assertFalse(Files.exists(data.getParent()));
        Jbox.Result gone = Jbox.run("volume", "inspect", vol);
        assertEquals(125, gone.code());
        assertTrue(gone.err().contains("no such volume: " + vol), gone.all());
    }
}
