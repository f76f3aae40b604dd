package jbox.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Container paths are absolute, normalised, and cannot climb above "/". */
class ContainerPathTest {

    @Test
    void parsingNormalisesDotsAndSlashes() {
        ContainerPath p = ContainerPath.of("//usr/./lib/../bin//");
        assertEquals(List.of("usr", "bin"), p.names());
        assertEquals("/usr/bin", p.toString());
    }

    @Test
    void dotDotClampsAtTheRoot() {
        assertEquals(ContainerPath.ROOT, ContainerPath.of("/../../.."));
        assertEquals("/etc/passwd", ContainerPath.of("/../../etc/passwd").toString());
        assertEquals("/etc", ContainerPath.of("/a/../../etc").toString());
    }

    @Test
    void rootPrintsAsSlash() {
        assertEquals("/", ContainerPath.ROOT.toString());
        assertEquals("/", ContainerPath.of("/").toString());
        assertTrue(ContainerPath.of("/").names().isEmpty());
    }

    @Test
    void relativePathsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ContainerPath.of("etc/hosts"));
        assertThrows(IllegalArgumentException.class, () -> ContainerPath.of(""));
        assertThrows(IllegalArgumentException.class, () -> ContainerPath.of("../etc"));
    }

    @Test
    void childAndParent() {
        ContainerPath etc = ContainerPath.of("/etc");
        assertEquals(ContainerPath.of("/etc/hosts"), etc.child("hosts"));
        assertEquals(etc, etc.child("hosts").parent());
        assertEquals(ContainerPath.ROOT, etc.parent());
        assertSame(ContainerPath.ROOT, ContainerPath.ROOT.parent());
    }

    @Test
    void childDoesNotChangeTheParent() {
        ContainerPath etc = ContainerPath.of("/etc");
        etc.child("hosts");
        assertEquals("/etc", etc.toString());
        assertThrows(UnsupportedOperationException.class, () -> etc.names().add("x"));
    }

    @Test
    void startsWithComparesWholeNames() {
        ContainerPath dev = ContainerPath.of("/dev");
        assertTrue(ContainerPath.of("/dev/pts").startsWith(dev));
        assertTrue(dev.startsWith(dev));
        assertFalse(ContainerPath.of("/device").startsWith(dev));
        assertFalse(dev.startsWith(ContainerPath.of("/dev/pts")));
        assertTrue(ContainerPath.of("/anything").startsWith(ContainerPath.ROOT));
    }

    @Test
    void onPlacesThePathUnderTheHostRoot() {
        Path root = Path.of("/var/lib/jbox/containers/x/merged");
        assertEquals(root.resolve("etc/hosts"), ContainerPath.of("/etc/hosts").on(root));
        assertEquals(root, ContainerPath.ROOT.on(root));
        assertEquals(root.resolve("etc"), ContainerPath.of("/../../../etc").on(root));
        assertTrue(ContainerPath.of("/../../../../../../etc").on(root).startsWith(root));
    }

    @Test
    void equalityIsByNames() {
        assertEquals(ContainerPath.of("/a/b"), ContainerPath.of("/a/./b/"));
        assertEquals(ContainerPath.of("/a/b").hashCode(), ContainerPath.of("/a//b").hashCode());
        assertNotEquals(ContainerPath.of("/a/b"), ContainerPath.of("/a/c"));
        assertNotEquals(ContainerPath.of("/a"), "/a");
    }
}
