package jbox.process;

import static jbox.process.MountOptions.MS_BIND;
import static jbox.process.MountOptions.MS_NODEV;
import static jbox.process.MountOptions.MS_NOEXEC;
import static jbox.process.MountOptions.MS_NOSUID;
import static jbox.process.MountOptions.MS_PRIVATE;
import static jbox.process.MountOptions.MS_RDONLY;
import static jbox.process.MountOptions.MS_REC;
import static jbox.process.MountOptions.MS_SHARED;
import static jbox.process.MountOptions.MS_SLAVE;
import static jbox.process.MountOptions.MS_STRICTATIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** OCI mount options split into mount(2) flags, propagation and the filesystem's data string. */
class MountOptionsTest {

    @Test
    void runcProcOptionsBecomeFlags() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("nosuid", "noexec", "nodev", "ro"));
        assertEquals(MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, o.flags());
        assertEquals(0, o.propagation());
        assertEquals("", o.data());
        assertFalse(o.isBind());
    }

    @Test
    void rbindIsARecursiveBind() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("rbind", "ro"));
        assertEquals(MS_BIND | MS_REC | MS_RDONLY, o.flags());
        assertTrue(o.isBind());
        assertEquals("", o.data());
    }

    @Test
    void plainBindIsNotRecursive() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("bind"));
        assertEquals(MS_BIND, o.flags());
        assertTrue(o.isBind());
    }

    @Test
    void unknownOptionsGoToTheDataStringInOrder() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("mode=755", "size=65536k", "strictatime"));
        assertEquals(MS_STRICTATIME, o.flags());
        assertEquals("mode=755,size=65536k", o.data());
    }

    @Test
    void devptsDriverOptionsAreKeptVerbatim() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        assertEquals(MS_NOSUID | MS_NOEXEC, o.flags());
        assertEquals("newinstance,ptmxmode=0666,mode=0620,gid=5", o.data());
    }

    @Test
    void laterRwClearsAnEarlierRo() throws JboxException {
        assertEquals(0, MountOptions.parse(List.of("ro", "rw")).flags());
        assertEquals(MS_RDONLY, MountOptions.parse(List.of("rw", "ro")).flags());
    }

    @Test
    void negativeOptionsClearOnlyTheirOwnFlag() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("nosuid", "nodev", "noexec", "suid", "exec"));
        assertEquals(MS_NODEV, o.flags());
    }

    @Test
    void propagationIsSeparateFromFlags() throws JboxException {
        MountOptions o = MountOptions.parse(List.of("rbind", "rprivate"));
        assertEquals(MS_BIND | MS_REC, o.flags());
        assertEquals(MS_PRIVATE | MS_REC, o.propagation());
        assertEquals(MS_SLAVE, MountOptions.parse(List.of("slave")).propagation());
        assertEquals(MS_SHARED | MS_REC, MountOptions.parse(List.of("rshared")).propagation());
        assertEquals("", MountOptions.parse(List.of("private")).data());
    }

    @Test
    void nullOrEmptyOptionsMeanNothing() throws JboxException {
        assertEquals(new MountOptions(0, 0, ""), MountOptions.parse(null));
        assertEquals(new MountOptions(0, 0, ""), MountOptions.parse(List.of()));
    }

    @Test
    void flagValuesMatchTheKernelHeader() throws IOException, IllegalAccessException {
        Path h = Path.of("/usr/include/linux/mount.h");
        assumeTrue(Files.isRegularFile(h), "linux headers not installed");
        String text = Files.readString(h);
        int checked = 0;
        for (Field f : MountOptions.class.getFields()) {
            if (!f.getName().startsWith("MS_")) {
                continue;
            }
            Matcher m = Pattern.compile("#define\\s+" + f.getName() + "\\s+\\(?\\s*(\\d+)\\s*(?:<<\\s*(\\d+))?\\s*\\)?")
                    .matcher(text);
            assertTrue(m.find(), f.getName() + " not in " + h);
            long c = m.group(2) == null ? Long.parseLong(m.group(1)) : Long.parseLong(m.group(1)) << Long.parseLong(m.group(2));
            assertEquals(c, f.getLong(null), f.getName());
            checked++;
        }
        assertTrue(checked >= 15, "only " + checked + " MS_ constants checked");
    }
}
