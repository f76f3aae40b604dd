// What jbox knows about one stored image; persisted as <store>/<dir>/image.json.
package jbox.image;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Image configuration plus provenance. {@code uidBase}/{@code gidBase} record the {@link IdShift}
 * the rootfs files were chowned with, so the runtime can refuse a mismatched user namespace.
 *
 * @param name       canonical image name ("busybox", "alpine:3.19"; a ":latest" tag is dropped)
 * @param cmd        default command; may be empty
 * @param entrypoint prepended to the command; may be empty
 * @param env        "KEY=value" entries
 * @param workingDir working directory inside the container; "" means /
 * @param user       user to run as; "" means root
 * @param created    ISO-8601 instant the image was stored
 * @param source     where the rootfs came from (a tar file name, "busybox-static /usr/bin/busybox")
 * @param digest       manifest digest ("sha256:...") of an imported OCI image or docker-archive; "" otherwise
 * @param configDigest digest of that image's config blob; "" otherwise
 * @param layers       the image's layers by diff id ("sha256:..."), bottom first, each a directory of the
 *                     store shared by every image that has it; empty for an image of the older format,
 *                     whose whole tree is the image directory's rootfs/ (still read as it is)
 * @param exposedPorts the config's ExposedPorts ("80/tcp", "53/udp"), for `jbox run -P`; may be empty
 */
@JsonIgnoreProperties(ignoreUnknown = true) // newer jbox versions may add fields; old ones must still read them
public record ImageMeta(
        String name,
        List<String> cmd,
        List<String> entrypoint,
        List<String> env,
        String workingDir,
        String user,
        String created,
        long uidBase,
        long gidBase,
        String source,
        String digest,
        String configDigest,
        List<String> layers,
        List<String> exposedPorts) {

    /** An image that did not come from an image archive: no manifest, no config blob. */
    public ImageMeta(String name, List<String> cmd, List<String> entrypoint, List<String> env, String workingDir,
            String user, String created, long uidBase, long gidBase, String source) {
        this(name, cmd, entrypoint, env, workingDir, user, created, uidBase, gidBase, source, "", "", List.of());
    }

    /** An image of the older format (one rootfs/ directory), as image.json files written before layers read. */
    public ImageMeta(String name, List<String> cmd, List<String> entrypoint, List<String> env, String workingDir,
            String user, String created, long uidBase, long gidBase, String source, String digest,
            String configDigest) {
        this(name, cmd, entrypoint, env, workingDir, user, created, uidBase, gidBase, source, digest, configDigest,
                List.of(), List.of());
    }

    /** An image stored as layers whose config exposes no ports. */
    public ImageMeta(String name, List<String> cmd, List<String> entrypoint, List<String> env, String workingDir,
            String user, String created, long uidBase, long gidBase, String source, String digest,
            String configDigest, List<String> layers) {
        this(name, cmd, entrypoint, env, workingDir, user, created, uidBase, gidBase, source, digest, configDigest,
                layers, List.of());
    }

    /** True for an image stored as layers; false for one rootfs/ directory (the older format). */
    public boolean layered() {
        return !layers.isEmpty();
    }

    public ImageMeta withLayers(List<String> diffIds) {
        return new ImageMeta(name, cmd, entrypoint, env, workingDir, user, created, uidBase, gidBase, source, digest,
                configDigest, diffIds, exposedPorts);
    }

    public ImageMeta withName(String newName) {
        return new ImageMeta(newName, cmd, entrypoint, env, workingDir, user, created, uidBase, gidBase, source,
                digest, configDigest, layers, exposedPorts);
    }

    public ImageMeta {
        // Hand-edited or older image.json files may omit fields; callers should never see nulls.
        cmd = cmd == null ? List.of() : List.copyOf(cmd);
        entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
        env = env == null ? List.of() : List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
        created = created == null ? "" : created;
        source = source == null ? "" : source;
        digest = digest == null ? "" : digest;
        configDigest = configDigest == null ? "" : configDigest;
        layers = layers == null ? List.of() : List.copyOf(layers);
        exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
    }
}
