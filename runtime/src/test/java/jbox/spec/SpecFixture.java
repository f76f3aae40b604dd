package jbox.spec;

import java.util.List;
import jbox.JboxException;
import jbox.image.ImageMeta;

/** Mutable inputs for SpecBuilder.build, with the defaults `jbox run busybox` would give. */
final class SpecFixture {
    static final String ID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // image
    List<String> imageCmd = List.of("sh");
    List<String> imageEntrypoint = List.of();
    List<String> imageEnv = List.of();
    String imageWorkdir = "";
    String imageUser = "";
    // options
    List<String> command = List.of();
    String hostname;
    List<String> env = List.of();
    String workdir;
    String user;
    String net = "none";
    boolean remove;
    List<String> groupAdd = List.of();
    String entrypoint;
    boolean privileged;
    String shmSize;
    List<String> devices = List.of();
    boolean sandbox;
    java.nio.file.Path rootfs;
    // host
    SpecBuilder.IdRange ids = new SpecBuilder.IdRange(100000, 200000, 65536);

    ImageMeta image() {
        return new ImageMeta("busybox", imageCmd, imageEntrypoint, imageEnv, imageWorkdir, imageUser,
                "2026-01-01T00:00:00Z", 100000, 100000, "test");
    }

    RunOptions options() {
        return new RunOptions("busybox", command, null, hostname, env, workdir, user, net, null, remove,
                sandbox ? new RunOptions.Sandboxing(List.of(), List.of(), List.of(), false, List.of(), List.of(), List.of(),
                        null, null, null, null, null, null, null, true) : RunOptions.Sandboxing.NONE, null, false, false, false, List.of(),
                new RunOptions.Habits(entrypoint, groupAdd, List.of(), List.of(), List.of(), shmSize, devices, privileged, false));
    }

    /** The image's rootfs on the host (a test's temp dir; none by default). */
    java.nio.file.Path rootfs() {
        return rootfs;
    }

    SpecBuilder.Inputs inputs() {
        return new SpecBuilder.Inputs(ID, image(), rootfs == null ? "/images/busybox/rootfs" : rootfs.toString(), "/c/upper", "/c/work", "/c/merged",
                "/run/jbox/" + ID, ids,
                new SpecBuilder.NetworkInputs("none", "jbox0", "10.88.0.0/16", ref -> {
                    if (!ref.equals("web")) {
                        throw new JboxException("no such container: " + ref);
                    }
                    return "/proc/4242/ns/net";
                }), SECURITY, "jbox");
    }

    static final SecurityDefaults SECURITY = new SecurityDefaults(
            List.of("CHOWN", "NET_RAW", "SETUID", "SETGID", "KILL"),
            List.of("/proc/kcore", "/sys/firmware"), List.of("/proc/sys"),
            new SecurityDefaults.Sandbox("512m", "128", "1", "64m", "256", "300s", "64m"));

    ContainerSpec build() throws JboxException {
        return SpecBuilder.build(options(), inputs());
    }
}
