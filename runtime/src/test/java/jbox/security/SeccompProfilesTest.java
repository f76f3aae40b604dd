package jbox.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profiles from files (`--security-opt seccomp=FILE`) and the built-in default. */
class SeccompProfilesTest {
    @TempDir
    Path dir;

    @Test
    void aProfileFileIsReadAndCompiled() throws Exception {
        Path file = dir.resolve("p.json");
        Files.writeString(file, "{\"defaultAction\": \"SCMP_ACT_LOG\", \"syscalls\": "
                + "[{\"names\": [\"getpid\", \"newer_than_the_table\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}");
        SeccompProgram program = SeccompProfiles.load(file);
        assertEquals(List.of("newer_than_the_table"), program.unknownSyscalls());
        BpfInterpreter filter = new BpfInterpreter(program);
        assertEquals(TestProfiles.errno(13), filter.run(TestProfiles.X86_64, TestProfiles.nr("getpid")));
        assertEquals(SeccompAction.RET_LOG, filter.run(TestProfiles.X86_64, TestProfiles.nr("getppid")));
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path missing = dir.resolve("none.json");
        assertEquals("seccomp profile " + missing + ": no such file",
                assertThrows(JboxException.class, () -> SeccompProfiles.load(missing)).getMessage());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"defaultAction\": \"SCMP_ACT_NOPE\"}");
        assertEquals("seccomp profile " + bad + ": unknown action 'SCMP_ACT_NOPE', expected SCMP_ACT_ALLOW, "
                + "SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, "
                + "SCMP_ACT_LOG or SCMP_ACT_NOTIFY (defaultAction, line 1, column 19)",
                assertThrows(JboxException.class, () -> SeccompProfiles.load(bad)).getMessage());
    }

    @Test
    void theDefaultProfileRefusesByDefaultWithEperm() throws JboxException {
        SeccompProfile profile = SeccompProfiles.readDefault();
        assertEquals(SeccompAction.errno(SeccompAction.EPERM), profile.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64"), profile.architectures());
    }
}
