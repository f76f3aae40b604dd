package jbox.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mount targets are resolved inside the image: before pivot_root the container init still sees
 * the host's "/", so a path through an image symlink such as /etc -> /host-etc would otherwise
 * create files and mount over the host's own directories.
 */
class PlanBuilderImageSymlinkTest {
    @TempDir
    Path tmp;
    TestSpecs s;
    Path hosts;

    @BeforeEach
    void setUp() throws IOException {
        s = new TestSpecs(tmp);
        hosts = Files.writeString(tmp.resolve("hosts-file"), "");
    }

    /** Replaces the image's /etc directory with a symlink. */
    void etcLinksTo(String target) throws IOException {
        Files.delete(s.image.resolve("etc"));
        Files.createSymbolicLink(s.image.resolve("etc"), Path.of(target));
    }

    Plan.Step bindHosts(Plan p) {
        return PlanBuilderTest.what(p, "bind-mount " + hosts + " on /etc/hosts");
    }

    @Test
    void absoluteLinkWithDotDotsStaysInTheImage() throws IOException, JboxException {
        etcLinksTo("/../../host-etc");
        s.mount("/etc/hosts", "bind", hosts.toString(), "bind");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(s.merged + "/host-etc/hosts", bindHosts(p).args().get(1));
        assertPlanNeverTraversesAnImageSymlink(p);
    }

    @Test
    void relativeLinkClimbingOutOfTheImageIsClampedAtItsRoot() throws IOException, JboxException {
        etcLinksTo("../../../../../../outside");
        s.mount("/etc/hosts", "bind", hosts.toString(), "bind");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(s.merged + "/outside/hosts", bindHosts(p).args().get(1));
        assertPlanNeverTraversesAnImageSymlink(p);
    }

    @Test
    void theMountpointIsCreatedAtTheResolvedPath() throws IOException, JboxException {
        etcLinksTo("/host-etc");
        s.mount("/etc/hosts", "bind", hosts.toString(), "bind");
        Plan p = PlanBuilder.build(s.build());
        int bind = PlanBuilderTest.indexOfWhat(p, "bind-mount " + hosts + " on /etc/hosts");
        assertEquals(List.of(s.merged + "/host-etc", 0755L), p.steps().get(bind - 2).args());
        assertEquals(List.of(s.merged + "/host-etc/hosts", 0644L), p.steps().get(bind - 1).args());
        assertEquals(Protocol.OP_MKFILE, p.steps().get(bind - 1).op());
    }

    @Test
    void aSymlinkedFileIsReplacedByItsTargetEvenIfTheTargetIsMissing() throws IOException, JboxException {
        // Common in real images: /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf
        Files.createSymbolicLink(s.image.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
        Path resolv = Files.writeString(tmp.resolve("resolv"), "");
        s.mount("/etc/resolv.conf", "bind", resolv.toString(), "bind");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(s.merged + "/run/systemd/resolve/stub-resolv.conf",
                PlanBuilderTest.what(p, "bind-mount " + resolv + " on /etc/resolv.conf").args().get(1));
        assertPlanNeverTraversesAnImageSymlink(p);
    }

    @Test
    void aSymlinkLoopInTheImageIsAnError() throws IOException {
        etcLinksTo("/etc");
        s.mount("/etc/hosts", "bind", hosts.toString(), "bind");
        JboxException e = assertThrows(JboxException.class, () -> PlanBuilder.build(s.build()));
        assertTrue(e.getMessage().contains("/etc/hosts"), e.getMessage());
    }

    @Test
    void mountsNestedUnderASymlinkedDevFollowTheResolvedParent() throws IOException, JboxException {
        // The /dev tmpfs lands on the link's target; /dev/pts, /dev/shm and the device nodes must
        // go there too, not through <root>/dev, which the host would resolve outside the root.
        Files.createSymbolicLink(s.image.resolve("dev"), Path.of("../../../../tmp"));
        s.mount("/dev", "tmpfs", "tmpfs", "nosuid", "mode=755");
        s.mount("/dev/pts", "devpts", "devpts", "newinstance");
        s.mount("/dev/shm", "tmpfs", "shm", "mode=1777");
        Plan p = PlanBuilder.build(s.build());
        assertEquals(s.merged + "/tmp", PlanBuilderTest.what(p, "mount tmpfs on /dev").args().get(1));
        assertPlanNeverTraversesAnImageSymlink(p);
    }

    /**
     * Every host path the plan touches before pivot_root lies under the root, and no directory on
     * the way (nor the final name, except a symlink step's link itself) is a symlink in the image.
     */
    void assertPlanNeverTraversesAnImageSymlink(Plan p) {
        for (Plan.Step st : p.steps()) {
            String path;
            boolean lastMayBeLink = false;
            switch (st.op()) {
                case Protocol.OP_MKDIR, Protocol.OP_MKFILE -> path = (String) st.args().get(0);
                case Protocol.OP_MOUNT -> path = (String) st.args().get(1);
                case Protocol.OP_SYMLINK -> {
                    path = (String) st.args().get(1);
                    lastMayBeLink = true;
                }
                default -> {
                    continue;
                }
            }
            if (path.equals("/") || path.equals(s.merged.toString())) {
                continue;
            }
            Path host = Path.of(path);
            assertEquals(host, host.normalize(), st.what() + ": " + path + " is not normalised");
            assertTrue(host.startsWith(s.merged), st.what() + ": " + path + " is outside the root " + s.merged);
            Path rel = s.merged.relativize(host);
            Path inImage = s.image;
            for (int i = 0; i < rel.getNameCount(); i++) {
                inImage = inImage.resolve(rel.getName(i));
                boolean last = i == rel.getNameCount() - 1;
                if (!(last && lastMayBeLink)) {
                    assertFalse(Files.isSymbolicLink(inImage),
                            st.what() + ": " + path + " goes through the image symlink /" + s.image.relativize(inImage));
                }
            }
        }
    }
}
