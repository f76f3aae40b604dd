package jbox.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.Test;

/** OCI namespace types become the clone(2) flags that create them. */
class NamespacesTest {
    static ContainerSpec.Linux linux(ContainerSpec.Namespace... ns) {
        return new ContainerSpec.Linux(List.of(ns), null, null);
    }

    static ContainerSpec.Namespace ns(String type) {
        return new ContainerSpec.Namespace(type, null);
    }

    @Test
    void flagsAreOredTogether() throws JboxException {
        assertEquals(0, Namespaces.cloneFlags(linux()));
        assertEquals(0x00020000L | 0x20000000L, Namespaces.cloneFlags(linux(ns("mount"), ns("pid"))));
    }

    @Test
    void theCgroupNamespaceIsLeftToThePlanNotToClone() throws JboxException {
        assertEquals(0x00020000L, Namespaces.cloneFlags(linux(ns("mount"), ns("cgroup"))));
    }

    @Test
    void unknownTypesAreRejected() {
        JboxException e = assertThrows(JboxException.class, () -> Namespaces.cloneFlags(linux(ns("time"))));
        assertTrue(e.getMessage().contains("time"), e.getMessage());
    }

    @Test
    void aJoinedNamespaceIsNotClonedButHandedToTheShim() throws JboxException {
        ContainerSpec.Linux l = linux(ns("mount"), new ContainerSpec.Namespace("network", "/proc/7/ns/net"));
        assertEquals(0x00020000L, Namespaces.cloneFlags(l));
        assertEquals(java.util.List.of("/proc/7/ns/net"), Namespaces.joins(l));
        assertTrue(Namespaces.joins(linux(ns("network"))).isEmpty());
    }

    @Test
    void joinsAreOrderedUserFirstMountLast() {
        ContainerSpec.Linux l = linux(new ContainerSpec.Namespace("mount", "/m"), new ContainerSpec.Namespace("ipc", "/i"),
                new ContainerSpec.Namespace("user", "/u"), ns("pid"));
        assertEquals(java.util.List.of("/u", "/i", "/m"), Namespaces.joins(l));
        assertEquals("the ipc namespace /i", Namespaces.joinNames(l).get(1));
    }

    @Test
    void flagValuesMatchTheKernelHeader() throws IOException {
        Path h = Path.of("/usr/include/linux/sched.h");
        assumeTrue(Files.isRegularFile(h), "linux headers not installed");
        String text = Files.readString(h);
        Map<String, String> names = Map.of("mount", "NS", "cgroup", "CGROUP", "uts", "UTS", "ipc", "IPC",
                "user", "USER", "pid", "PID", "network", "NET");
        assertEquals(names.keySet(), Namespaces.CLONE_FLAGS.keySet());
        for (Map.Entry<String, String> e : names.entrySet()) {
            Matcher m = Pattern.compile("#define\\s+CLONE_NEW" + e.getValue() + "\\s+0x([0-9a-fA-F]+)").matcher(text);
            assertTrue(m.find(), "CLONE_NEW" + e.getValue() + " not in " + h);
            assertEquals(Long.parseLong(m.group(1), 16), Namespaces.CLONE_FLAGS.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void enteringOurselvesJoinsNothingAndAMissingProcessIsAnError() throws JboxException {
        // Our own namespaces are all shared: setns() into one's own user namespace would fail.
        assertTrue(Namespaces.toEnter(ProcessHandle.current().pid()).isEmpty());
        JboxException e = assertThrows(JboxException.class, () -> Namespaces.toEnter(Integer.MAX_VALUE + 1L));
        assertTrue(e.getMessage().startsWith("entering the container's namespaces failed: cannot read /proc/"), e.getMessage());
    }
}
