package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.security.SeccompAction;
import jbox.security.SeccompProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading config.json: a real podman config, the optional parts, and the round trip from `jbox run --dry-run`. */
class OciConfigTest {
    @TempDir
    Path dir;

    static String podmanConfig() throws IOException {
        try (InputStream in = OciConfigTest.class.getResourceAsStream("/oci/podman-4.3-config.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aPodmanConfigIsReadCompletely() throws Exception {
        ContainerSpec s = new OciBundle(dir).read(podmanConfig());
        assertEquals("1.0.2-dev", s.ociVersion());
        assertEquals(dir.resolve("rootfs").toString(), s.root().path());
        assertTrue(s.root().readonly());
        assertEquals(List.of("true"), s.process().args());
        assertEquals(1000, s.process().user().uid());
        assertEquals(18, s.process().user().umask());
        assertEquals(List.of(1000L), s.process().user().additionalGids());
        assertEquals("/tmp", s.process().cwd());
        assertTrue(s.process().capabilities().bounding().contains("CAP_SETPCAP"));
        assertEquals(List.of(), s.process().capabilities().effective(), "absent sets are empty");
        assertEquals("38045f30332e", s.hostname());
        ContainerSpec.Mount tmp = s.mounts().get(0);
        assertEquals(new ContainerSpec.Mount("/tmp", "tmpfs", "tmpfs", List.of("rw", "rprivate", "nosuid", "nodev", "tmpcopyup")), tmp);
        assertEquals("cgroup", s.mounts().get(s.mounts().size() - 1).type());
        assertEquals("libpod", s.annotations().get("io.container.manager"));
        ContainerSpec.Linux l = s.linux();
        assertEquals(List.of("pid", "network", "ipc", "uts", "mount"), l.namespaces().stream().map(ContainerSpec.Namespace::type).toList());
        assertEquals(new ContainerSpec.Memory(67108864L, 134217728L), l.resources().memory());
        assertEquals(50, l.resources().pids().limit());
        assertEquals(List.of(new ContainerSpec.DeviceRule(false, null, null, null, "rwm")), l.resources().devices());
        assertTrue(l.cgroupsPath().startsWith("/libpod_parent/libpod-38045f30332e"));
        assertTrue(l.maskedPaths().contains("/proc/kcore"));
        assertTrue(l.readonlyPaths().contains("/proc/sys"));
        SeccompProfile seccomp = l.seccomp();
        assertEquals(SeccompAction.errno(38), seccomp.defaultAction());
        assertEquals(List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"), seccomp.architectures());
        assertEquals(19, seccomp.rules().size());
    }

    @Test
    void theOptionalPartsAreRead() throws Exception {
        ObjectNode c = OciBundle.minimal();
        ObjectNode linux = (ObjectNode) c.get("linux");
        linux.putArray("namespaces").addObject().put("type", "mount");
        ((com.fasterxml.jackson.databind.node.ArrayNode) linux.get("namespaces")).addObject().put("type", "uts");
        ((com.fasterxml.jackson.databind.node.ArrayNode) linux.get("namespaces")).addObject().put("type", "ipc");
        ((com.fasterxml.jackson.databind.node.ArrayNode) linux.get("namespaces")).addObject()
                .put("type", "network").put("path", "/var/run/netns/x");
        ((com.fasterxml.jackson.databind.node.ArrayNode) linux.get("namespaces")).addObject().put("type", "user");
        linux.putArray("uidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        linux.putArray("gidMappings").addObject().put("containerID", 0).put("hostID", 100000).put("size", 65536);
        linux.putObject("sysctl").put("net.ipv4.ip_forward", "1").put("kernel.shmmax", "1024")
                .put("fs.mqueue.msg_max", "20").put("kernel.domainname", "example");
        linux.put("rootfsPropagation", "rslave");
        linux.put("cgroupsPath", "jbox-test/box");
        linux.putArray("devices");
        ObjectNode res = linux.putObject("resources");
        res.putObject("memory").put("limit", 1 << 30).put("reservation", 1 << 29);
        res.putObject("cpu").put("shares", 512).put("quota", 50000).put("period", 100000);
        ObjectNode process = (ObjectNode) c.get("process");
        process.put("oomScoreAdj", -500).put("noNewPrivileges", true).put("apparmorProfile", "");
        process.putObject("consoleSize").put("height", 24).put("width", 80);
        process.putArray("rlimits").addObject().put("type", "RLIMIT_NOFILE").put("hard", 1024).put("soft", 512);
        c.putObject("hooks").putArray("createContainer").addObject().put("path", "/usr/bin/hook").put("timeout", 5);
        ObjectNode bind = c.putArray("mounts").addObject();
        bind.put("destination", "/data").put("source", "data").putArray("options").add("rbind").add("ro");

        ContainerSpec s = new OciBundle(dir).read(c);
        assertEquals("/var/run/netns/x", s.linux().joined("network").path());
        assertEquals(Map.of("net.ipv4.ip_forward", "1", "kernel.shmmax", "1024", "fs.mqueue.msg_max", "20",
                "kernel.domainname", "example"), s.linux().sysctl());
        assertEquals("rslave", s.linux().rootfsPropagation());
        assertEquals("jbox-test/box", s.linux().cgroupsPath());
        assertEquals(1L << 29, s.linux().resources().memory().reservation());
        assertEquals(new ContainerSpec.Cpu(512L, 50000L, 100000L), s.linux().resources().cpu());
        assertEquals(-500, s.process().oomScoreAdj());
        assertEquals(List.of(new ContainerSpec.Rlimit("RLIMIT_NOFILE", 1024, 512)), s.process().rlimits());
        assertEquals("/usr/bin/hook", s.hooks().createContainer().get(0).path());
        assertEquals(dir.resolve("data").toString(), s.mounts().get(0).source(), "a relative bind source is in the bundle");
        assertNull(s.linux().seccomp());
    }

    @Test
    void whatRunDryRunPrintsReadsBackEqual() throws Exception {
        SpecFixture f = new SpecFixture();
        f.net = "none";
        ContainerSpec built = f.build();
        Path root = Files.createDirectories(dir.resolve("merged"));
        ContainerSpec expected = new ContainerSpec(built.ociVersion(), built.process(),
                new ContainerSpec.Root(root.toString(), built.root().readonly()), built.hostname(), built.mounts(),
                built.linux(), built.annotations(), built.hooks());
        assertNotNull(expected.linux().seccomp(), "the default profile takes part in the round trip");
        Files.writeString(dir.resolve("config.json"), OciConfig.json(expected));

        ContainerSpec read = OciConfig.read(dir);
        assertEquals(expected.linux().seccomp().defaultAction(), read.linux().seccomp().defaultAction());
        assertEquals(expected.linux().seccomp().architectures(), read.linux().seccomp().architectures());
        assertEquals(expected.linux().seccomp().rules(), read.linux().seccomp().rules());
        assertEquals(withoutSeccomp(expected), withoutSeccomp(read));
    }

    /**
     * config.json is written with the streaming API (OciConfigWriter); databind's writer is the
     * reference: the same tree, but for the nulls databind writes and the writer leaves out.
     */
    @Test
    void theStreamingWriterWritesWhatDatabindWrites() throws Exception {
        SpecFixture f = new SpecFixture();
        f.net = "none";
        com.fasterxml.jackson.databind.ObjectMapper databind = new com.fasterxml.jackson.databind.ObjectMapper();
        for (ContainerSpec spec : List.of(f.build(), new OciBundle(dir).read(podmanConfig()))) {
            com.fasterxml.jackson.databind.JsonNode reference = withoutNulls(databind.readTree(databind.writeValueAsString(spec)));
            com.fasterxml.jackson.databind.JsonNode streamed = databind.readTree(OciConfigWriter.json(spec));
            assertEquals(reference, streamed);
            assertTrue(streamed.path("linux").has("seccomp") && streamed.path("process").has("capabilities"), streamed.toString());
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode withoutNulls(com.fasterxml.jackson.databind.JsonNode n) {
        if (n instanceof ObjectNode o) {
            List<String> nulls = new java.util.ArrayList<>();
            o.fields().forEachRemaining(e -> {
                if (e.getValue().isNull()) {
                    nulls.add(e.getKey());
                } else {
                    withoutNulls(e.getValue());
                }
            });
            o.remove(nulls);
        } else if (n.isArray()) {
            n.forEach(OciConfigTest::withoutNulls);
        }
        return n;
    }

    @Test
    void writeAndReadAgreeForAPodmanConfig() throws Exception {
        ContainerSpec first = new OciBundle(dir).read(podmanConfig());
        OciConfig.write(first, dir.resolve("config.json"));
        ContainerSpec second = OciConfig.read(dir);
        assertEquals(first.linux().seccomp().rules(), second.linux().seccomp().rules());
        assertEquals(withoutSeccomp(first), withoutSeccomp(second));
    }

    /** The profile's source names where it was read from; everything else must survive. */
    static ContainerSpec withoutSeccomp(ContainerSpec s) {
        ContainerSpec.Linux l = s.linux();
        return new ContainerSpec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.mounts(),
                new ContainerSpec.Linux(l.namespaces(), l.uidMappings(), l.gidMappings(), l.resources(), l.cgroupsPath(),
                        null, l.maskedPaths(), l.readonlyPaths(), l.rootfsPropagation(), l.sysctl()),
                s.annotations(), s.hooks());
    }

    @Test
    void missingRootIsNamed() {
        JboxException e = org.junit.jupiter.api.Assertions.assertThrows(JboxException.class,
                () -> OciConfig.read(dir.resolve("nothing")));
        assertTrue(e.getMessage().startsWith("cannot read " + dir.resolve("nothing/config.json")), e.getMessage());
    }
}
