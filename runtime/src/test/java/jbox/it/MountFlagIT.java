package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker's --mount on the real kernel (issue 16): each type does what its -v or --tmpfs does, and
 * a mistake is one line, exit 125, with nothing made on the way.
 */
class MountFlagIT {
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

    private Path hostDir(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.setAttribute(dir, "unix:mode", 0755);
        Files.writeString(dir.resolve("in"), "from-host\n");
        return dir;
    }

    @Test
    void aReadonlyBindRefusesWrites() throws Exception {
        Path dir = hostDir("ro");
        Jbox.Result r = Jbox.run("run", "--rm", "--mount", "type=bind,source=" + dir + ",target=/data,readonly",
                Jbox.IMAGE, "sh", "-c", "cat /data/in; touch /data/out 2>&1; echo status=$?");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().startsWith("from-host\n") && r.out().contains("Read-only file system")
                && r.out().endsWith("status=1\n"), r.all());
        assertFalse(Files.exists(dir.resolve("out")));
    }

    @Test
    void aWritableBindWritesAsMinusVDoesThroughTheIdmap() throws Exception {
        Path dir = hostDir("rw");
        // relative to the caller's directory, with docker's short keys
        ProcessBuilder pb = Jbox.builder("run", "--rm", "--mount", "type=bind,src=./rw,dst=/data", Jbox.IMAGE,
                "sh", "-c", "stat -c '%u %g' /data/in; echo out > /data/out && echo wrote").directory(tmp.toFile());
        Jbox.Result r = Jbox.finish(pb.start());
        assertEquals(0, r.code(), r.all());
        assertEquals("0 0\nwrote\n", r.out(), "host root's file is the container root's: " + r.all());
        assertEquals(0, (Integer) Files.getAttribute(dir.resolve("out"), "unix:uid", LinkOption.NOFOLLOW_LINKS),
                "what the container's root writes is host root's, as with -v");
        assertEquals("out\n", Files.readString(dir.resolve("out")));
    }

    @Test
    void aTmpfsHasItsSizeModeAndDockersOptions() throws Exception {
        Jbox.Result r = Jbox.run("run", "--rm", "--mount", "type=tmpfs,destination=/scratch,tmpfs-size=8m,tmpfs-mode=1770",
                Jbox.IMAGE, "sh", "-c", "df -k /scratch | tail -n 1; stat -c %a /scratch; grep ' /scratch ' /proc/mounts");
        assertEquals(0, r.code(), r.all());
        String[] lines = r.out().split("\n");
        assertEquals(3, lines.length, r.all());
        assertEquals("8192", lines[0].trim().split("\\s+")[1], "df's 1K-blocks: " + r.all());
        assertEquals("1770", lines[1]);
        List<String> opts = List.of(lines[2].split(" ")[3].split(","));
        assertTrue(lines[2].startsWith("tmpfs /scratch tmpfs ") && opts.containsAll(List.of("rw", "nosuid", "nodev", "noexec")),
                r.all());
    }

    @Test
    void aNamedVolumeIsMadeOnFirstUseAndKeptAcrossRuns() throws Exception {
        String vol = "itmount" + ProcessHandle.current().pid();
        Path data = Jbox.DATA.resolve("volumes").resolve(vol).resolve("_data");
        try {
            Jbox.Result first = Jbox.run("run", "--rm", "--mount", "type=volume,source=" + vol + ",target=/v",
                    Jbox.IMAGE, "sh", "-c", "echo kept > /v/mine && echo wrote");
            assertEquals("wrote\n", first.out(), first.all());
            assertEquals(100000, (Integer) Files.getAttribute(data, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                    "owned by the container's root, as a -v NAME:/path volume");
            Jbox.Result second = Jbox.run("run", "--rm", "--mount", "src=" + vol + ",dst=/w,ro", Jbox.IMAGE,
                    "sh", "-c", "cat /w/mine; touch /w/x 2>/dev/null || echo refused");
            assertEquals("kept\nrefused\n", second.out(), second.all());
        } finally {
            Jbox.run("volume", "rm", vol);
        }
        assertFalse(Files.exists(data.getParent()));
    }

    @Test
    void aBadMountIsOneLineExit125AndLeavesNothing() throws Exception {
        String name = "badmount" + ProcessHandle.current().pid();
        String vol = "badmountvol" + ProcessHandle.current().pid();
        Path missing = tmp.resolve("missing");
        Set<String> before = containers();
        for (List<String> c : List.of(
                List.of("type=bind,source=" + missing + ",target=/data", "bind source path does not exist: " + missing),
                List.of("type=nfs,source=x,target=/data", "unknown type \"nfs\" (bind, volume, tmpfs)"),
                List.of("type=volume,source=" + vol + ",target=/v,color=red", "unknown key \"color\""),
                List.of("type=volume,source=" + vol, "a target is needed (target=/PATH in the container)"))) {
            Jbox.Result r = Jbox.run("run", "--rm", "--name", name, "--mount", c.get(0), Jbox.IMAGE, "true");
            assertEquals(125, r.code(), r.all());
            assertEquals("jbox: invalid --mount " + c.get(0) + ": " + c.get(1) + "\n", r.err());
            assertEquals("", r.out());
        }
        assertFalse(Files.exists(missing), "docker's --mount does not create a bind source; neither does jbox");
        assertFalse(Files.exists(Jbox.DATA.resolve("volumes").resolve(vol)), "no volume made");
        assertEquals(before, containers(), "no container layer left");
        assertFalse(Jbox.run("ps", "-a").out().contains(name), "no container record or name left");
    }

    private static Set<String> containers() throws Exception {
        Jbox.awaitRemovedLayersDeleted(); // an earlier test's --rm layer may still be going
        Path dir = Jbox.DATA.resolve("containers");
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }
}
