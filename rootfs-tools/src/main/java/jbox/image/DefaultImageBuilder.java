// Builds the default "busybox" image from the host's static busybox: one binary plus a symlink per applet.
package jbox.image;

import jbox.io.IoReason;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Lets jbox run something without any download. Every file, dir and symlink is owned by container
 * root under the given {@link IdShift}; the image is staged in the store and published atomically.
 */
public final class DefaultImageBuilder {

    private static final String BUSYBOX_IN_IMAGE = "bin/busybox";
    /** Absolute, so a link works wherever it sits (bin/, usr/sbin/, ...). */
    private static final String APPLET_TARGET = "/bin/busybox";
    private static final String PASSWD = """
            root:x:0:0:root:/root:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/false
            """;
    private static final String GROUP = """
            root:x:0:
            tty:x:5:
            nogroup:x:65534:
            """;

    /** A directory of the skeleton; listed parents first. */
    private record SkeletonDir(String path, int mode) {
    }

    private static final List<SkeletonDir> DIRECTORIES = List.of(
            new SkeletonDir("bin", 0755), new SkeletonDir("sbin", 0755), new SkeletonDir("usr", 0755),
            new SkeletonDir("usr/bin", 0755), new SkeletonDir("usr/sbin", 0755), new SkeletonDir("etc", 0755),
            new SkeletonDir("proc", 0555), new SkeletonDir("sys", 0555), new SkeletonDir("dev", 0755),
            new SkeletonDir("tmp", 01777), new SkeletonDir("root", 0700), new SkeletonDir("home", 0755),
            new SkeletonDir("var", 0755), new SkeletonDir("run", 0755));

    public ImageMeta build(ImageStore store, String name, Path busyboxBinary, IdShift shift) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        store.requireAbsent(name);
        requireStaticBusybox(busyboxBinary);
        Set<String> applets = applets(busyboxBinary);
        long uid = shift.hostUid(0);
        long gid = shift.hostGid(0);
        Path staging = store.createStaging();
        try {
            Path layer = store.newStagingLayer(staging);
            Path rootfs = ImageStore.diffOf(layer);
            Path blob = staging.resolve("layer.tar.gz");
            LayerWriter.Written written;
            try {
                populate(rootfs, busyboxBinary, applets, uid, gid);
                // The layer's name is the digest of its tar, as for any layer: write it once to know it.
                written = new LayerWriter(rootfs, shift.uidBase(), shift.gidBase()).write(blob);
                Files.delete(blob);
            } catch (IOException e) {
                throw new ImageException("cannot build image " + parsed.canonical() + " in " + rootfs + ": "
                        + IoReason.of(e), e);
            }
            store.stageLayer(staging, layer, LayerKey.of(written.diffId(), shift));
            ImageMeta meta = new ImageMeta(parsed.canonical(), List.of("/bin/sh"), List.of(),
                    List.of(TarImporter.DEFAULT_PATH), "", "", Instant.now().toString(),
                    shift.uidBase(), shift.gidBase(), "busybox-static " + busyboxBinary)
                    .withLayers(List.of(written.diffId().toString()));
            store.publish(staging, meta);
            return meta;
        } catch (ImageException | RuntimeException | Error e) {
            store.discard(staging, e);
            throw e;
        }
    }

    private static void populate(Path rootfs, Path busybox, Set<String> applets, long uid, long gid)
            throws IOException {
        directory(rootfs, 0755, uid, gid);
        for (SkeletonDir dir : DIRECTORIES) {
            directory(rootfs.resolve(dir.path()), dir.mode(), uid, gid);
        }
        Path binary = rootfs.resolve(BUSYBOX_IN_IMAGE);
        Files.copy(busybox, binary);
        owned(binary, 0755, uid, gid);
        for (String applet : applets) {
            Path link = rootfs.resolve(applet);
            if (!Files.isDirectory(link.getParent())) {
                directory(link.getParent(), 0755, uid, gid); // an applet dir outside the skeleton
            }
            Files.createSymbolicLink(link, Path.of(APPLET_TARGET));
            PosixAttributes.lchown(link, uid, gid);
        }
        writeFile(rootfs.resolve("etc/passwd"), PASSWD, uid, gid);
        writeFile(rootfs.resolve("etc/group"), GROUP, uid, gid);
        // Empty, as docker's builder leaves them: the files every start binds over are there, so a
        // container's start makes nothing in its writable layer (and its removal has less to delete).
        for (String mountPoint : List.of("etc/hostname", "etc/hosts", "etc/resolv.conf")) {
            writeFile(rootfs.resolve(mountPoint), "", uid, gid);
        }
    }

    private static void directory(Path dir, int mode, long uid, long gid) throws IOException {
        Files.createDirectory(dir);
        owned(dir, mode, uid, gid);
    }

    private static void writeFile(Path file, String content, long uid, long gid) throws IOException {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        owned(file, 0644, uid, gid);
    }

    /** chown before chmod: chown clears setuid bits, and the mode must not depend on the umask. */
    private static void owned(Path path, int mode, long uid, long gid) throws IOException {
        PosixAttributes.lchown(path, uid, gid);
        PosixAttributes.chmod(path, mode);
    }

    private static void requireStaticBusybox(Path busybox) throws ImageException {
        if (!Files.isRegularFile(busybox)) {
            throw new ImageException("busybox binary not found: " + busybox
                    + " (install it with: apt-get install busybox-static)");
        }
        try {
            if (ElfBinary.isDynamicallyLinked(busybox)) {
                throw new ImageException("busybox binary " + busybox
                        + " is dynamically linked and cannot run alone in an image (install busybox-static)");
            }
        } catch (IOException e) {
            throw new ImageException("cannot inspect busybox binary " + busybox + ": " + IoReason.of(e), e);
        }
    }

    /**
     * Asks busybox for its applets ("usr/bin/wget", ...). Each line becomes a path in the image, so
     * anything that is not a plain relative path is rejected rather than trusted.
     */
    private static Set<String> applets(Path busybox) throws ImageException {
        String output;
        try {
            Process process = new ProcessBuilder(busybox.toString(), "--list-full")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            try (InputStream stdout = process.getInputStream()) {
                output = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (process.waitFor() != 0) {
                throw new ImageException("busybox binary " + busybox + " failed to list its applets (--list-full)");
            }
        } catch (IOException e) {
            throw new ImageException("cannot run busybox binary " + busybox + ": " + IoReason.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running busybox binary " + busybox, e);
        }
        Set<String> applets = new LinkedHashSet<>();
        for (String line : output.split("\n")) {
            String applet = line.strip();
            if (applet.isEmpty() || applet.equals(BUSYBOX_IN_IMAGE)) {
                continue;
            }
            EntryPath path = EntryPath.parse(applet);
            if (path.isRoot() || !path.relative().equals(applet)) {
                throw new ImageException("busybox binary " + busybox + " lists an odd applet path "
                        + Quoted.of(applet));
            }
            applets.add(applet);
        }
        return applets;
    }
}
