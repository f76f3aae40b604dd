package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * OCI bundles made from the config `runc spec` writes, run by runc and by jbox side by side: the
 * fixture the runc-conformance ITs share. A test's directory holds one rootfs (the test image with
 * container ids 0, as runc's default has no user namespace) and a state root per runtime.
 */
final class RuncBundle {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One bundle's result under runc and under jbox. */
    record Both(Jbox.Result runc, Jbox.Result jbox) {
    }

    private RuncBundle() {
    }

    /**
     * A new temporary directory traversable by others (a container in a user namespace of its own is an
     * unprivileged host id; createTempDirectory makes 0700) holding {@link #copyRootfs the rootfs}.
     */
    static Path workDir(String prefix) throws Exception {
        Path dir = Files.createTempDirectory(prefix);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        copyRootfs(dir);
        return dir;
    }

    /** {@code dir}/rootfs: a copy of the test image owned by 0:0. */
    static void copyRootfs(Path dir) throws Exception {
        Jbox.host("cp", "-a", Jbox.rootfs(Jbox.IMAGE).toString(), rootfs(dir).toString());
        Jbox.host("chown", "-R", "-h", "0:0", rootfs(dir).toString());
    }

    static Path rootfs(Path dir) {
        return dir.resolve("rootfs");
    }

    /** Removes the test's cgroup sub-tree; runc leaves the parent levels it made; rmdir (not rm -r) works on cgroupfs, deepest first. */
    static void removeCgroups(String parent) throws Exception {
        Jbox.host("sh", "-c", "for d in $(find /sys/fs/cgroup -depth -type d -path '*/" + parent + "*'); do rmdir \"$d\"; done");
    }

    /**
     * Writes `runc spec`'s config.json into {@code bundle} (made if missing): no terminal, `sh -c script`,
     * root {@code dir}/rootfs, then changed by {@code edit}.
     */
    static Path write(Path dir, Path bundle, String script, Consumer<ObjectNode> edit) throws Exception {
        Files.createDirectories(bundle);
        Jbox.Result spec = runc(List.of("runc", "spec", "--bundle", bundle.toString()));
        assertEquals(0, spec.code(), spec.all());
        ObjectNode c = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
        c.with("process").put("terminal", false);
        ((ArrayNode) c.with("process").withArray("args")).removeAll().add("sh").add("-c").add(script);
        c.with("root").put("path", rootfs(dir).toString());
        edit.accept(c);
        Files.writeString(bundle.resolve("config.json"), c.toPrettyString());
        return bundle;
    }

    /** Adds a read-only cgroup mount at /sys/fs/cgroup (without a cgroup namespace it shows the container's own cgroups). */
    static void mountCgroups(ObjectNode c) {
        c.withArray("mounts").addObject().put("destination", "/sys/fs/cgroup").put("type", "cgroup")
                .put("source", "cgroup").putArray("options").add("nosuid").add("noexec").add("nodev").add("ro");
    }

    /** `runc run` of {@code runcBundle} and `jbox run --bundle` of {@code jboxBundle}, each with {@code dir}'s state root of its own. */
    static Both runBoth(Path dir, Path runcBundle, Path jboxBundle, String id) throws Exception {
        return new Both(runcRun(dir, runcBundle, id + "-runc"), jboxRun(dir, jboxBundle, id + "-jbox"));
    }

    static Jbox.Result runcRun(Path dir, Path bundle, String id) throws Exception {
        return runc(List.of("runc", "--root", dir.resolve("runc-state").toString(), "run", "--bundle", bundle.toString(), id));
    }

    static Jbox.Result jboxRun(Path dir, Path bundle, String id) throws Exception {
        return Jbox.run("--root", dir.resolve("jbox-state").toString(), "run", "--bundle", bundle.toString(), id);
    }

    /** A host command (runc) with stdin from /dev/null. */
    static Jbox.Result runc(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return Jbox.finish(p);
    }

    static void sameSuccess(Both b) {
        assertEquals(0, b.runc().code(), "runc: " + b.runc().all());
        assertEquals(0, b.jbox().code(), "jbox: " + b.jbox().all());
        assertEquals(b.runc().out(), b.jbox().out(), "the workload sees the same with both");
    }
}
