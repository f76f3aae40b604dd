package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OCI linux.sysctl net.* belongs to the container's network namespace: a config that "joins" the
 * host's by path (/proc/PID/ns/net of a host process) must not set it on the host.
 */
class SysctlIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path HOST_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
        dir = Files.createTempDirectory("jbox-sysctl-it");
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Jbox.host("cp", "-a", Jbox.rootfs(Jbox.IMAGE).toString(),
                dir.resolve("rootfs").toString());
        Jbox.host("chown", "-R", "-h", "0:0", dir.resolve("rootfs").toString());
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.run("--root", dir.resolve("state").toString(), "delete", "--force", "sysctl-it");
        Jbox.cleanUp();
    }

    @AfterAll
    static void removeBundle() throws Exception {
        Jbox.host("rm", "-rf", "--one-file-system", dir.toString());
    }

    /** A bundle running {@code script} that sets net.ipv4.ip_forward to {@code value}, in {@code network}. */
    private static Path bundle(ObjectNode network, String value, String script) throws Exception {
        Path b = Files.createDirectories(dir.resolve("bundle"));
        ObjectNode c = (ObjectNode) JSON.readTree("""
                {"ociVersion": "1.0.2",
                 "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", ""], "env": ["PATH=/bin"], "cwd": "/",
                             "noNewPrivileges": true},
                 "root": {"path": "../rootfs"},
                 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "mount"}],
                           "readonlyPaths": ["/proc/sys"]}}
                """);
        ((ArrayNode) c.get("process").get("args")).set(2, c.textNode(script));
        ObjectNode linux = (ObjectNode) c.get("linux");
        ((ArrayNode) linux.get("namespaces")).add(network);
        linux.putObject("sysctl").put("net.ipv4.ip_forward", value);
        Files.write(b.resolve("config.json"), JSON.writeValueAsBytes(c));
        return b;
    }

    private static Jbox.Result run(Path bundle) throws Exception {
        return Jbox.run("--root", dir.resolve("state").toString(), "run", "--bundle", bundle.toString(), "sysctl-it");
    }

    @Test
    void netSysctlInTheHostsNetworkNamespaceIsRefused() throws Exception {
        String before = Files.readString(HOST_FORWARD).trim();
        String other = before.equals("1") ? "0" : "1";
        try {
            // The host's namespace through a process in it (this test's JVM; /proc/1 may be closed to us).
            String hostNetPath = "/proc/" + ProcessHandle.current().pid() + "/ns/net";
            ObjectNode hostNet = JSON.createObjectNode().put("type", "network").put("path", hostNetPath);
            Jbox.Result r = run(bundle(hostNet, other, "true"));
            assertEquals(125, r.code(), r.all());
            assertEquals("jbox: config.json: linux.sysctl.net.ipv4.ip_forward: is not allowed: the network namespace"
                    + " " + hostNetPath + " is the host's\n", r.err(), r.all());
            assertEquals(before, Files.readString(HOST_FORWARD).trim(), "the host's ip_forward changed");
        } finally {
            Files.writeString(HOST_FORWARD, before + "\n"); // the old code wrote it: put it back
        }
    }

    @Test
    void netSysctlInANewNetworkNamespaceIsSetThere() throws Exception {
        String before = Files.readString(HOST_FORWARD).trim();
        String other = before.equals("1") ? "0" : "1";
        Jbox.Result r = run(bundle(JSON.createObjectNode().put("type", "network"), other, "cat /proc/sys/net/ipv4/ip_forward"));
        assertEquals(0, r.code(), r.all());
        assertEquals(other + "\n", r.out(), r.all());
        assertEquals(before, Files.readString(HOST_FORWARD).trim());
    }
}
