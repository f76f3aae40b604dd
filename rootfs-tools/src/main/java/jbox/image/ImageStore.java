// The on-disk image store: <root>/<dir>/{image.json,rootfs/}, with images published atomically from temp dirs.
package jbox.image;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.rootfs.TreeDeletion;

/**
 * Images are only ever visible complete: builders fill a {@code .tmp-*} dir inside the store and
 * {@link #publish} renames it into place (same filesystem, so the rename is atomic). Removal
 * renames the image away first, so a concurrent reader never sees a half-deleted rootfs.
 */
public final class ImageStore {

    private static final String TEMP_PREFIX = ".tmp-";
    private static final String LOCK_SUFFIX = ".lock";

    private final Map<Path, LockFile> stagingLocks = new ConcurrentHashMap<>();
    private static final String ROOTFS = "rootfs";
    /** rwxr-xr-x: the runtime may traverse into the rootfs as a shifted (non-root) uid. */
    private static final int IMAGE_DIR_MODE = 0755;

    private final Path root;

    public ImageStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** True when {@link #get} would find the image (same name check, so "a:b" is not mistaken for "a_b"). */
    public boolean exists(String name) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        Path metaFile = imageDir(parsed).resolve(ImageMetaFile.FILE_NAME);
        return Files.exists(metaFile, LinkOption.NOFOLLOW_LINKS)
                && ImageMetaFile.read(metaFile).name().equals(parsed.canonical());
    }

    public ImageMeta get(String name) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        Path metaFile = imageDir(parsed).resolve(ImageMetaFile.FILE_NAME);
        if (!Files.exists(metaFile, LinkOption.NOFOLLOW_LINKS)) {
            throw notFound(name);
        }
        ImageMeta meta = ImageMetaFile.read(metaFile);
        // "a_b" and "a:b" share a directory name; the stored name tells which one really lives there.
        if (!meta.name().equals(parsed.canonical())) {
            throw notFound(name);
        }
        return meta;
    }

    public Path rootfs(String name) throws ImageException {
        return rootfs(get(name));
    }

    /** The rootfs of an image already read (no second read of image.json: it is on the start path). */
    public Path rootfs(ImageMeta image) throws ImageException {
        return imageDir(ImageName.parse(image.name())).resolve(ROOTFS);
    }

    /** All complete images, sorted by name; temp dirs and dirs without image.json are not images. */
    public List<ImageMeta> list() throws ImageException {
        List<ImageMeta> images = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return images;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                Path metaFile = entry.resolve(ImageMetaFile.FILE_NAME);
                if (!entry.getFileName().toString().startsWith(".")
                        && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
                        && Files.exists(metaFile, LinkOption.NOFOLLOW_LINKS)) {
                    images.add(ImageMetaFile.read(metaFile));
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot list image store " + root + ": " + IoReason.of(e), e);
        }
        images.sort(Comparator.comparing(ImageMeta::name));
        return images;
    }

    /**
     * Beside image.json: what the imported image's config says of itself (created, author, history,
     * rootfs.diff_ids, config.Labels), for `image history` and `image inspect`. Images built from a
     * rootfs tarball or busybox have none.
     */
    public static final String CONFIG_FILE = "image-config.json";

    /** The image's {@link #CONFIG_FILE}, or null when it has none. */
    public byte[] configFile(ImageMeta image) throws ImageException {
        Path file = imageDir(ImageName.parse(image.name())).resolve(CONFIG_FILE);
        try {
            return Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException none) {
            return null;
        } catch (IOException e) {
            throw new ImageException("cannot read " + file + ": " + IoReason.of(e), e);
        }
    }

    static void writeConfigFile(Path staging, com.fasterxml.jackson.databind.JsonNode kept) throws ImageException {
        Path file = staging.resolve(CONFIG_FILE);
        try {
            FileModes.write(file, new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(kept), FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new ImageException("cannot write " + file + ": " + IoReason.of(e), e);
        }
    }

    /**
     * `image tag SOURCE TARGET`: a second name for the same image. The rootfs is copied as hard
     * links (it is only ever a read-only lower layer, so sharing inodes is safe and costs no space),
     * directories with their owner, mode and times; the metadata is the source's under the new name.
     */
    public ImageMeta tag(String source, String target) throws ImageException {
        ImageMeta from = get(source);
        ImageName parsed = ImageName.parse(target);
        requireAbsent(target);
        Path staging = createStaging();
        try {
            Path src = rootfs(from);
            Path dst = stagingRootfs(staging);
            Files.walkFileTree(src, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    Path to = dst.resolve(src.relativize(dir).toString());
                    Files.createDirectory(to);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    Files.createLink(dst.resolve(src.relativize(file).toString()), file); // link(2): a symlink itself, not its target
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Path to = dst.resolve(src.relativize(dir).toString());
                    Map<String, Object> attrs = Files.readAttributes(dir, "unix:uid,gid,mode,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(to, "unix:uid", attrs.get("uid"), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(to, "unix:gid", attrs.get("gid"), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(to, "unix:mode", attrs.get("mode"), LinkOption.NOFOLLOW_LINKS);
                    Files.setAttribute(to, "lastModifiedTime", attrs.get("lastModifiedTime"), LinkOption.NOFOLLOW_LINKS);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
            byte[] config = configFile(from);
            if (config != null) {
                FileModes.write(staging.resolve(CONFIG_FILE), config, FileModes.PRIVATE_FILE);
            }
            ImageMeta meta = new ImageMeta(parsed.canonical(), from.cmd(), from.entrypoint(), from.env(), from.workingDir(),
                    from.user(), from.created(), from.uidBase(), from.gidBase(), from.source(), from.digest(), from.configDigest());
            publish(staging, meta);
            return meta;
        } catch (IOException e) {
            discard(staging, e);
            throw new ImageException("cannot tag image " + source + " as " + target + ": " + IoReason.of(e), e);
        } catch (ImageException | RuntimeException e) {
            discard(staging, e);
            throw e;
        }
    }

    /** Also removes an image whose image.json is unreadable, so a broken image can always be cleaned up. */
    public void remove(String name) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        Path dir = imageDir(parsed);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || storesAnotherName(dir, parsed)) {
            throw notFound(name);
        }
        Path doomed = root.resolve(TEMP_PREFIX + "rm-" + UUID.randomUUID());
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ImageException("cannot remove image " + name + " at " + dir + ": " + IoReason.of(e), e);
        }
        try {
            TreeDeletion.delete(doomed);
        } catch (IOException e) {
            throw new ImageException("image " + name + " was removed but " + doomed
                    + " could not be deleted: " + IoReason.of(e), e);
        }
    }

    /**
     * A fresh private directory inside the store (so publishing is a same-filesystem rename). Its
     * lock file beside it ({@code .tmp-X.lock}) stays locked while this process builds it, so
     * {@link #pruneStaging()} can tell an import in progress from one whose process was killed.
     */
    Path createStaging() throws ImageException {
        try {
            Files.createDirectories(root, FileModes.attribute(FileModes.PRIVATE_DIR));
            Path lockFile = Files.createTempFile(root, TEMP_PREFIX, LOCK_SUFFIX);
            LockFile lock = LockFile.acquire(lockFile);
            String name = lockFile.getFileName().toString();
            Path staging = root.resolve(name.substring(0, name.length() - LOCK_SUFFIX.length()));
            FileModes.createDirectory(staging, FileModes.PRIVATE_DIR);
            stagingLocks.put(staging, lock);
            return staging;
        } catch (IOException e) {
            throw new ImageException("cannot create a temp dir in image store " + root + ": " + IoReason.of(e), e);
        }
    }

    /** Drops the lock of a staging dir that was published or discarded. */
    private void unlock(Path staging) {
        LockFile lock = stagingLocks.remove(staging);
        try {
            Files.deleteIfExists(root.resolve(staging.getFileName() + LOCK_SUFFIX));
            if (lock != null) {
                lock.close();
            }
        } catch (IOException ignored) {
            // a leftover lock file is found and removed by pruneStaging
        }
    }

    /**
     * Removes what killed imports and removals left: staging dirs whose lock nobody holds, and
     * temp dirs without a lock file. Returns the removed paths.
     */
    public List<Path> pruneStaging() throws ImageException {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, TEMP_PREFIX + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.endsWith(LOCK_SUFFIX)) {
                    if (!LockFile.isHeld(p)) {
                        Path dir = root.resolve(name.substring(0, name.length() - LOCK_SUFFIX.length()));
                        TreeDeletion.delete(dir);
                        Files.deleteIfExists(p);
                        removed.add(dir);
                    }
                } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !removed.contains(p)
                        && !Files.exists(root.resolve(name + LOCK_SUFFIX)) && !stagingLocks.containsKey(p)) {
                    TreeDeletion.delete(p);
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot clean up temp dirs in image store " + root + ": " + IoReason.of(e), e);
        }
        return removed;
    }

    /** The rootfs directory builders fill inside a staging dir. */
    static Path stagingRootfs(Path staging) {
        return staging.resolve(ROOTFS);
    }

    /** Fails early, before a long extraction, when the name is taken. */
    void requireAbsent(String name) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        Path dir = imageDir(parsed);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (storesAnotherName(dir, parsed)) {
                throw new ImageException("image name " + parsed.canonical() + " clashes with the existing store entry "
                        + dir + " (names differing only in ':' versus '_' share a directory)");
            }
            throw alreadyExists(parsed);
        }
    }

    /** Writes image.json into the staging dir and renames it to the image's directory in one step. */
    void publish(Path staging, ImageMeta meta) throws ImageException {
        publish(staging, meta, false);
    }

    /**
     * As {@link #publish(Path, ImageMeta)}; with {@code replace}, an image of that name is first
     * renamed away (so the new one still lands with one rename) and deleted after, or put back if
     * publishing fails. A reader sees the old image, then for an instant none, then the new one.
     */
    void publish(Path staging, ImageMeta meta, boolean replace) throws ImageException {
        ImageName parsed = ImageName.parse(meta.name());
        Path target = imageDir(parsed);
        Path old = null;
        if (replace && Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !storesAnotherName(target, parsed)) {
            old = root.resolve(TEMP_PREFIX + "rm-" + UUID.randomUUID());
            try {
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new ImageException("cannot replace image " + parsed.canonical() + " at " + target + ": "
                        + IoReason.of(e), e);
            }
        }
        try {
            publishNew(staging, meta, parsed, target);
        } catch (ImageException | RuntimeException e) {
            if (old != null) {
                try {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        }
        if (old != null) {
            try {
                TreeDeletion.delete(old);
            } catch (IOException e) {
                // a .tmp- dir without a lock file: pruneStaging removes it
            }
        }
    }

    private void publishNew(Path staging, ImageMeta meta, ImageName parsed, Path target) throws ImageException {
        requireAbsent(meta.name());
        ImageMetaFile.write(staging.resolve(ImageMetaFile.FILE_NAME), meta);
        try {
            Files.setAttribute(staging, "unix:mode", IMAGE_DIR_MODE, LinkOption.NOFOLLOW_LINKS);
            // rename(2) refuses a non-empty target, so a racing publisher of the same name loses cleanly.
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            unlock(staging);
        } catch (FileSystemException e) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw alreadyExists(parsed);
            }
            throw new ImageException("cannot publish image " + parsed.canonical() + " at " + target + ": "
                    + IoReason.of(e), e);
        } catch (IOException e) {
            throw new ImageException("cannot publish image " + parsed.canonical() + " at " + target + ": "
                    + IoReason.of(e), e);
        }
    }

    /** Best-effort removal of a staging dir after a failure; problems are attached to {@code original}. */
    void discard(Path staging, Throwable original) {
        TreeDeletion.deleteQuietly(staging, original);
        unlock(staging);
    }

    /** True only if the dir's image.json is readable and names a different image ("a_b" versus "a:b"). */
    private static boolean storesAnotherName(Path dir, ImageName name) {
        try {
            return !ImageMetaFile.read(dir.resolve(ImageMetaFile.FILE_NAME)).name().equals(name.canonical());
        } catch (ImageException unreadable) {
            return false;
        }
    }

    private Path imageDir(ImageName name) {
        return root.resolve(name.directoryName());
    }

    private static ImageException notFound(String name) {
        return new ImageException("image not found: " + name + " (try: jbox image ls)");
    }

    private static ImageException alreadyExists(ImageName name) {
        String shown = name.canonical();
        return new ImageException("image " + shown + " already exists (remove it with: jbox image rm " + shown + ")");
    }
}
