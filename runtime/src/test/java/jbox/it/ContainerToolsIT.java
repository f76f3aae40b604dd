package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker's cp, top, stats, rename, port, diff, export, pause and unpause on containers of `jbox run`. */
class ContainerToolsIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    /** A detached container that made its changes and then sleeps; its init's pid. */
    private static long detached(String name, String changes) throws Exception {
        Jbox.Result r = Jbox.run("run", "-d", "--init", "--name", name, Jbox.IMAGE, "sh", "-c",
                changes + "; touch /ready; exec sleep 600");
        assertEquals(0, r.code(), r.all());
        long init = Containers.awaitRunning(name).path("pid").asLong();
        Containers.awaitChildExec(init, "sleep");
        return init;
    }

    @Test
    void cpCopiesBothWaysInsideTheRootAndASymlinkToEtcReachesOnlyTheContainersEtc(@TempDir Path tmp) throws Exception {
        String name = Containers.uniqueName("cp");
        String hostPasswd = Files.readString(Path.of("/etc/passwd"));
        try {
            detached(name, "mkdir -p /data/sub; echo inside > /data/sub/f; ln -s /etc /evil; ln -s ../../../../etc /data/up");
            // out: a tree, and through the links: the container's /etc, never the host's
            Jbox.Result out = Jbox.run("cp", name + ":/data", tmp.toString());
            assertEquals(0, out.code(), out.all());
            assertEquals("inside\n", Files.readString(tmp.resolve("data/sub/f")));
            assertEquals("../../../../etc", Files.readSymbolicLink(tmp.resolve("data/up")).toString(), "a link is copied as a link");
            for (String via : List.of("/evil/passwd", "/data/up/passwd")) {
                Path got = tmp.resolve("passwd" + via.length());
                Jbox.Result p = Jbox.run("cp", name + ":" + via, got.toString());
                assertEquals(0, p.code(), p.all());
                String copied = Files.readString(got);
                assertTrue(copied.startsWith("root:x:0:0:"), copied);
                assertFalse(copied.equals(hostPasswd), via + " read the host's /etc/passwd");
            }

            // in: owned by the container's root (host 100000), written only below its root
            Path file = tmp.resolve("note");
            Files.writeString(file, "from the host\n");
            Files.setAttribute(file, "unix:mode", 04754); // setuid: not to be kept
            Jbox.Result in = Jbox.run("cp", file.toString(), name + ":/evil/jbox-cp-attack");
            assertEquals(0, in.code(), in.all());
            assertFalse(Files.exists(Path.of("/etc/jbox-cp-attack"), LinkOption.NOFOLLOW_LINKS), "cp wrote into the host's /etc");
            Jbox.Result ls = Jbox.run("exec", name, "ls", "-ln", "/etc/jbox-cp-attack");
            assertTrue(ls.out().startsWith("-rwxr-xr--") && ls.out().contains(" 0        0 "), "container root's, no setuid: " + ls.all());
            Jbox.Result cat = Jbox.run("exec", name, "cat", "/etc/jbox-cp-attack");
            assertEquals("from the host\n", cat.out());
            Jbox.Result up = Jbox.run("cp", file.toString(), name + ":/data/up/");
            assertEquals(0, up.code(), up.all());
            assertFalse(Files.exists(Path.of("/etc/note"), LinkOption.NOFOLLOW_LINKS), "cp wrote into the host's /etc");
            assertEquals("from the host\n", Jbox.run("exec", name, "cat", "/etc/note").out());

            Path tree = Files.createDirectories(tmp.resolve("tree/a"));
            Files.writeString(tree.resolve("b"), "b\n");
            Jbox.Result dir = Jbox.run("cp", tmp.resolve("tree").toString(), name + ":/");
            assertEquals(0, dir.code(), dir.all());
            assertEquals("b\n", Jbox.run("exec", name, "cat", "/tree/a/b").out());

            Jbox.Result both = Jbox.run("cp", file.toString(), tmp.toString());
            assertEquals(125, both.code(), both.all());
        } finally {
            Jbox.run("rm", "-f", name);
        }
        Jbox.Result stopped = Jbox.run("cp", name + ":/etc/passwd", tmp.resolve("x").toString());
        assertEquals(125, stopped.code(), stopped.all());
    }

    @Test
    void topStatsPauseAndUnpauseReadTheContainersCgroup() throws Exception {
        String name = Containers.uniqueName("top");
        try {
            long init = detached(name, "true");
            Jbox.Result top = Jbox.run("top", name);
            assertEquals(0, top.code(), top.all());
            assertTrue(top.out().startsWith("PID"), top.all());
            assertTrue(top.out().lines().anyMatch(l -> l.startsWith(init + " ")), top.all());
            assertTrue(top.out().lines().anyMatch(l -> l.endsWith("sleep 600") && l.contains(" 100000 ")), top.all());
            assertEquals(3, top.out().lines().count(), "the init and sleep: " + top.all());

            Jbox.Result stats = Jbox.run("stats", "--no-stream", name);
            assertEquals(0, stats.code(), stats.all());
            String row = stats.out().lines().filter(l -> l.contains(name)).findFirst().orElseThrow(() -> new AssertionError(stats.all()));
            assertTrue(row.matches(".*\\d+\\.\\d\\d% +[0-9.]+[KMG]?i?B / [0-9.]+[KMGT]iB +\\d+\\.\\d\\d% +2$"), row);

            assertEquals(0, Jbox.run("pause", name).code());
            assertTrue(frozen(name), "the cgroup is frozen");
            Jbox.Result again = Jbox.run("pause", name);
            assertEquals(125, again.code(), again.all());
            assertTrue(again.err().contains("paused"), again.all());
            assertEquals(0, Jbox.run("unpause", name).code());
            assertFalse(frozen(name));
            Jbox.Result notPaused = Jbox.run("unpause", name);
            assertEquals(125, notPaused.code(), notPaused.all());
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    private static boolean frozen(String name) throws Exception {
        String cgroup = Containers.find(name).path("cgroup").asText();
        Path v2 = Path.of("/sys/fs/cgroup" + cgroup, "cgroup.freeze");
        if (Files.exists(v2)) {
            return Files.readString(v2).trim().equals("1");
        }
        return Files.readString(Path.of("/sys/fs/cgroup/freezer" + cgroup, "freezer.state")).trim().equals("FROZEN");
    }

    @Test
    void diffAndExportShowTheContainersOwnFilesystem(@TempDir Path tmp) throws Exception {
        String name = Containers.uniqueName("diff");
        try {
            detached(name, "mkdir /new; echo x > /new/f; rm /bin/ls; echo y >> /etc/passwd");
            Jbox.Result diff = Jbox.run("diff", name);
            assertEquals(0, diff.code(), diff.all());
            List<String> lines = diff.out().lines().toList();
            for (String want : List.of("C /bin", "D /bin/ls", "C /etc", "C /etc/passwd", "A /new", "A /new/f", "A /ready")) {
                assertTrue(lines.contains(want), want + " in " + lines);
            }
            assertFalse(lines.contains("A /etc/hosts"), "jbox's own mount points are no change: " + lines);

            Path tar = tmp.resolve("c.tar");
            Jbox.Result export = Jbox.run("export", name, "-o", tar.toString());
            assertEquals(0, export.code(), export.all());
            List<String> names = new ArrayList<>();
            String passwd = null;
            try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(Files.readAllBytes(tar)))) {
                for (TarArchiveEntry e; (e = in.getNextEntry()) != null;) {
                    names.add(e.getName());
                    if (e.getName().equals("etc/passwd")) {
                        passwd = new String(in.readAllBytes());
                        assertEquals(0, e.getLongUserId(), "owners shifted back to the container's ids");
                    }
                }
            }
            assertTrue(names.contains("new/f") && names.contains("bin/sh") && names.contains("bin/busybox"), names.toString());
            assertFalse(names.contains("bin/ls"), "deleted in the container");
            assertTrue(names.contains("sbin/"), "the image's directories the container left alone: " + names);
            assertFalse(names.stream().anyMatch(n -> n.startsWith("proc/") && n.length() > 5), "no mounts");
            assertTrue(passwd != null && passwd.endsWith("y\n"), String.valueOf(passwd));
        } finally {
            Jbox.run("rm", "-f", name);
        }
    }

    @Test
    void renameChangesTheNameAndRefusesATakenOne() throws Exception {
        String name = Containers.uniqueName("ren");
        String other = Containers.uniqueName("ren2");
        Jbox.Result a = Jbox.run("run", "--name", name, Jbox.IMAGE, "true");
        Jbox.Result b = Jbox.run("run", "--name", other, Jbox.IMAGE, "true");
        try {
            assertEquals(0, a.code(), a.all());
            assertEquals(0, b.code(), b.all());
            Jbox.Result taken = Jbox.run("rename", name, other);
            assertEquals(125, taken.code(), taken.all());
            assertTrue(taken.err().contains("already in use"), taken.all());
            Jbox.Result r = Jbox.run("rename", name, name + "-new");
            assertEquals(0, r.code(), r.all());
            assertEquals(null, Containers.find(name));
            assertTrue(Containers.find(name + "-new") != null);
            Jbox.Result bad = Jbox.run("rename", name + "-new", "no/slash");
            assertEquals(125, bad.code(), bad.all());
        } finally {
            Jbox.run("rm", "-f", name + "-new", other);
        }
    }
}
