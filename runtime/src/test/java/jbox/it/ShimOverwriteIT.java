package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * runc's CVE-2019-5736 against jbox, for real: during `jbox exec ID true` the shim's child runs in
 * the container's pid namespace until its execve; a process in the container keeps an O_PATH fd of
 * its /proc/PID/exe and, once the exec is over, rewrites the binary through it. On the old shim
 * that was the host's jbox-shim, which the next jbox ran as root. Two defences, one scenario each:
 * the sealed memfd copy (A: a container with CAP_SYS_PTRACE, which opens any exe) and
 * non-dumpable until execve (B: default capabilities). The attack runs against a root-owned copy
 * of the built jbox home, never target/jbox-shim. The probe's subcommand grab-shim is the attacker.
 */
class ShimOverwriteIT {
    /** exec's child lives for milliseconds: enough tries that the spinning probe catches one. */
    private static final int EXEC_ATTEMPTS = 40;

    private Path dir;
    private Path home;
    private Path shim;
    private Path shared;
    private Path config;
    private final List<String> cleanUp = new ArrayList<>();
    /**
     * The copy's own engine directory: an engine is started from the home of the front end that
     * started it, and the run's shared engine (target/'s) would spawn target/jbox-shim instead of
     * the copy under attack.
     */
    private Path engines;

    @BeforeEach
    void copyJboxHome() throws Exception {
        Jbox.setUp();
        dir = Files.createTempDirectory("jbox-shim-overwrite-it");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        home = Files.createDirectory(dir.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String f : List.of("jbox", "jbox-jvm", "jbox.jar", "jbox-shim")) {
            Path copy = home.resolve(f);
            Files.copy(Jbox.LAUNCHER.resolveSibling(f), copy, StandardCopyOption.COPY_ATTRIBUTES);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        shim = home.resolve("jbox-shim");
        shared = Files.createDirectory(dir.resolve("shared"));
        config = Jbox.configWith(dir, "");
        engines = Engines.privateDir();
    }

    @AfterEach
    void removeCopy() throws Exception {
        for (String c : cleanUp) {
            jbox(c.split(" "));
        }
        Engines.stopAll(engines);
        Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
        Jbox.cleanUp();
    }

    /**
     * Scenario A: an OCI container (no user namespace, as podman's) that may ptrace, so it can open
     * the exe of any process it sees: what it opens must be the sealed copy, not the host's file.
     */
    @Test
    void anOciContainerThatMayPtraceHoldsOnlyTheSealedCopy() throws Exception {
        Path bundle = Files.createDirectory(dir.resolve("bundle"));
        Path rootfs = bundle.resolve("rootfs");
        Jbox.host("cp", "-a", Jbox.rootfs(Jbox.PROBE_IMAGE).toString(), rootfs.toString());
        Jbox.host("chown", "-R", "-h", "0:0", rootfs.toString());
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion": "1.0.2",
                 "process": {"user": {"uid": 0, "gid": 0}, "args": ["/bin/jbox-probe", "grab-shim", "/shared"],
                   "env": ["PATH=/bin:/sbin"], "cwd": "/",
                   "capabilities": {"bounding": ["CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_SYS_PTRACE"],
                                    "effective": ["CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_SYS_PTRACE"],
                                    "permitted": ["CAP_KILL", "CAP_DAC_OVERRIDE", "CAP_SYS_PTRACE"]},
                   "noNewPrivileges": true},
                 "root": {"path": "rootfs"},
                 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                            {"destination": "/shared", "type": "bind", "source": "%s", "options": ["rbind"]}],
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                                          {"type": "mount"}]}}
                """.formatted(shared));
        String root = dir.resolve("state").toString();
        String before = sha256(shim);
        cleanUp.add("--root " + root + " delete --force c1");
        Jbox.Result create = jbox("--root", root, "create", "--bundle", bundle.toString(), "c1");
        assertEquals(0, create.code(), create.all());
        Jbox.Result start = jbox("--root", root, "start", "c1");
        assertEquals(0, start.code(), start.all());

        String result = execUntilTheProbeReports("--root", root, "exec", "c1", "true");
        if (result.startsWith("grabbed")) {
            // The old shim: the fd is the host file. Let the probe write once no shim runs from it.
            waitUntilNoProcessRuns(shim);
            result = releaseTheProbe();
        }
        System.out.println("probe: " + result.replace('\n', ';'));
        assertEquals(before, sha256(shim), "the host's shim was rewritten from inside the container: " + result);
        assertFalse(result.contains("write ok"), result);
        assertFalse(result.contains(shim.toString()), "the container held the host's shim file: " + result);
        assertTrue(result.startsWith("grabbed /memfd:jbox-shim"), "it held the sealed copy: " + result);
    }

    /**
     * Scenario B: `jbox run --userns host` (the monitor shim keeps running: on the old shim only
     * ETXTBSY saved the file), default capabilities: exec's child must not even let it open its exe.
     */
    @Test
    void aHostUserNamespaceContainerCannotOpenExecsProcExe() throws Exception {
        String before = sha256(shim);
        Jbox.Result run = jbox("run", "-d", "--net", "none", "--userns", "host", "-v", shared + ":/shared",
                Jbox.PROBE_IMAGE, "/bin/jbox-probe", "grab-shim", "/shared");
        assertEquals(0, run.code(), run.all());
        String id = run.out().trim();
        cleanUp.add("rm -f " + id);

        // A PATH of many missing directories before /bin: execvp's failed tries after the capability
        // drop stretch the moment the old shim's child was dumpable from microseconds to milliseconds.
        StringBuilder path = new StringBuilder("PATH=");
        for (int i = 0; i < 2000; i++) {
            path.append("/missing").append(i).append(':');
        }
        String result = execUntilTheProbeReports("exec", "-e", path + "/bin", id, "true");
        if (result.startsWith("grabbed")) {
            result = releaseTheProbe(); // the monitor still runs the file: ETXTBSY is all that saves it
        }
        System.out.println("probe: " + result.replace('\n', ';'));
        assertEquals(before, sha256(shim), "the host's shim was rewritten from inside the container: " + result);
        assertFalse(result.contains("write ok"), result);
        assertFalse(result.contains(shim.toString()), "the container held the host's shim file: " + result);
        assertTrue(result.startsWith("denied"), "the container could open exec's /proc/PID/exe: " + result);
    }

    /** Once the probe watches, runs the exec until the probe has caught its shim child (bounded); returns what it wrote. */
    private String execUntilTheProbeReports(String... exec) throws Exception {
        Await.until("the probe starts watching", () -> Files.exists(shared.resolve("ready")));
        Path result = shared.resolve("result");
        for (int i = 0; i < EXEC_ATTEMPTS && !Files.exists(result); i++) {
            Jbox.Result r = jbox(exec);
            assertEquals(0, r.code(), r.all());
        }
        assertTrue(Files.exists(result), "the probe never saw exec's shim in " + EXEC_ATTEMPTS + " tries: the test proves nothing");
        return Files.readString(result);
    }

    /** Lets a probe that holds the exe try its write, and waits (bounded) for what it reports. */
    private String releaseTheProbe() throws Exception {
        Path result = shared.resolve("result");
        Files.writeString(shared.resolve("go"), "");
        Await.within(Await.DEADLINE, () -> Files.readString(result).contains("write "));
        return Files.readString(result);
    }

    /** The old shim's copy is busy (ETXTBSY) while a process runs it: the CVE's attacker waits for that too. */
    private static void waitUntilNoProcessRuns(Path binary) throws Exception {
        Await.within(Await.DEADLINE, () -> ProcessHandle.allProcesses().noneMatch(p -> runs(p.pid(), binary)));
    }

    private static boolean runs(long pid, Path binary) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).equals(binary);
        } catch (IOException | UnsupportedOperationException gone) {
            return false;
        }
    }

    /** The copied jbox home's launcher with the test config; output through files (run -d and create hold it). */
    private Jbox.Result jbox(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("jbox").toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("JBOX_CONFIG", config.toString());
        pb.environment().put("JBOX_ENGINE_SOCKET", engines.toString());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("jbox " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Jbox.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
