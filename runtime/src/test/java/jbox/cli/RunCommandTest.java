package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.runtime.Caller;
import org.junit.jupiter.api.Test;

/** What `jbox run` takes from its caller rather than from the JVM: -e KEY's value, and the cwd for files. */
class RunCommandTest {
    @Test
    void aBareKeyTakesTheCallersValueOrIsLeftOut() {
        assertEquals(List.of("A=1", "B=from caller", "C=", "", "=x"),
                RunCommand.env(List.of("A=1", "B", "C=", "NOT_SET", "", "=x"), Map.of("B", "from caller")));
    }

    @Test
    void aSeccompFileIsTheCallersRelativeToItsDirectory() {
        Request r = new Request(List.of(), null, null, null, Map.of(), Path.of("/home/u"), () -> Request.Terminals.NONE,
                to -> { }, Caller.of(null, null, jbox.process.ShimStarter.LOCAL));
        assertEquals(List.of("seccomp=/home/u/prof.json", "seccomp:/abs.json", "seccomp=unconfined", "no-new-privileges"),
                RunCommand.securityOpts(r, List.of("seccomp=prof.json", "seccomp:/abs.json", "seccomp=unconfined",
                        "no-new-privileges")));
    }

    @Test
    void aRelativeVolumeIsTheCallersAndANameStaysAName() {
        Request r = new Request(List.of(), null, null, null, Map.of(), Path.of("/home/u/p"), () -> Request.Terminals.NONE,
                to -> { }, Caller.of(null, null, jbox.process.ShimStarter.LOCAL));
        assertEquals(List.of("/home/u/p:/src", "/home/u/p/data:/d:ro", "/home/u/x:/x", "/abs:/a", "name:/n"),
                RunCommand.volumes(r, List.of(".:/src", "./data:/d:ro", "../x:/x", "/abs:/a", "name:/n")));
    }

    @Test
    void mountJoinsTheVolumeAndTmpfsListsAfterTheShortForms() throws Exception {
        Request r = new Request(List.of(), null, null, null, Map.of(), Path.of("/"), () -> Request.Terminals.NONE,
                to -> { }, Caller.of(null, null, jbox.process.ShimStarter.LOCAL));
        RunFlags.Parsed p = RunFlags.parse(List.of("--mount", "type=tmpfs,dst=/t,tmpfs-size=1m", "-v", "/a:/a",
                "--mount=type=bind,src=./etc,dst=/e,ro", "--tmpfs", "/x", "--mount", "src=vol,dst=/v", "busybox"));
        assertEquals(List.of("/a:/a", "/etc:/e:ro", "vol:/v:rw"), RunCommand.volumes(r, p));
        assertEquals(List.of("/x", "/t:nosuid,nodev,noexec,size=1048576"), RunCommand.tmpfs(r, p));
    }

    @Test
    void itWithAStdinThatIsNoTerminalIsRefusedAsDockerDoes() {
        // CapturedRequest's terminals are none: stdin is a pipe, as in `echo x | jbox run -it busybox sh`
        for (String flags : List.of("-it", "-ti")) {
            CapturedRequest r = new CapturedRequest(Path.of("/"), Map.of(), "run", flags, "busybox", "sh");
            assertEquals(125, r.run(), flags);
            assertEquals("jbox: the input device is not a TTY: -it needs a terminal on stdin (drop -t to pipe input)\n", r.err());
        }
        CapturedRequest exec = new CapturedRequest(Path.of("/"), Map.of(), "exec", "-it", "some-container", "sh");
        assertEquals(125, exec.run());
        assertEquals("jbox: the input device is not a TTY: -it needs a terminal on stdin (drop -t to pipe input)\n", exec.err());
    }
}
