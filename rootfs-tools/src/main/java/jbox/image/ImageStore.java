// The on-disk image store: <root>/<dir>/image.json naming shared layers by digest, published atomically from temp dirs.
package jbox.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.rootfs.LayerStack;
import jbox.rootfs.TreeDeletion;

/**
 * Images are only ever visible complete: builders fill a {@code .tmp-*} dir inside the store (new
 * layers under its layers/, blobs under its blobs/) and {@link #publish} moves the layers and
 * blobs into the shared part ({@link LayerStore}) and renames the dir into place, under the
 * store lock. Removal renames the image away first, so a concurrent reader never sees a
 * half-deleted image, and then, under the same lock, deletes the layers and blobs no image names
 * any more (found by reading every image.json: nothing is counted, so nothing can drift).
 *
 * <p>An image of the older format (image.json without layers, its tree in rootfs/) is read as
 * it is: its rootfs/ is its one lower directory. {@link #migrate} turns it into a layer when
 * something needs it by digest (commit, build).
 */
public final class ImageStore {

    static final String TEMP_PREFIX = ".tmp-";
    private static final String STORE_LOCK = ".store.lock";
    private static final String STAGED_LAYERS = "layers";
    private static final String STAGED_BLOBS = "blobs";
    private static final String LOCK_SUFFIX = ".lock";

    private final Map<Path, LockFile> stagingLocks = new ConcurrentHashMap<>();
    private static final String ROOTFS = "rootfs";
    /** rwxr-xr-x: the runtime may traverse into the rootfs as a shifted (non-root) uid. */
    private static final int IMAGE_DIR_MODE = 0755;

    private final Path root;
    private final LayerStore layers;

    public ImageStore(Path root) {
        this.root = root;
        this.layers = new LayerStore(root);
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

    /**
     * The one directory holding an image's whole tree: the older format's rootfs/, or the layer of
     * a one-layer image. An image of several layers has none (use {@link #layers(ImageMeta)}).
     */
    public Path rootfs(ImageMeta image) throws ImageException {
        if (!image.layered()) {
            return imageDir(ImageName.parse(image.name())).resolve(ROOTFS);
        }
        if (image.layers().size() > 1) {
            throw new ImageException("image " + image.name() + " has " + image.layers().size()
                    + " layers, not one root directory");
        }
        return layers.diff(LayerKey.of(image.layers().get(0), image));
    }

    /**
     * The directories overlayfs stacks as the image's lowerdir, top first: the layers' short links
     * under .l/ (one page of mount data holds ~90 of them), or the older format's rootfs/. A layer
     * that is missing fails here, naming it, rather than as the mount's ENOENT.
     */
    public List<Path> lowerDirs(ImageMeta image) throws ImageException {
        if (!image.layered()) {
            return List.of(imageDir(ImageName.parse(image.name())).resolve(ROOTFS));
        }
        List<Path> out = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            LayerKey key = LayerKey.of(image.layers().get(i), image);
            Path link = layers.link(key);
            if (!Files.isDirectory(link)) {
                throw new ImageException("image " + image.name() + " is missing its layer " + key.diffId() + " at "
                        + layers.layerDir(key) + " (remove the image and pull or import it again)");
            }
            out.add(link);
        }
        return out;
    }

    /** The image's layer directories as overlayfs will merge them, for looking into the image from the host. */
    public LayerStack layers(ImageMeta image) throws ImageException {
        if (!image.layered()) {
            return LayerStack.of(rootfs(image));
        }
        List<Path> dirs = new ArrayList<>();
        for (int i = image.layers().size() - 1; i >= 0; i--) {
            dirs.add(layers.diff(LayerKey.of(image.layers().get(i), image)));
        }
        return new LayerStack(dirs);
    }

    /** Where a stored blob (compressed layer, config, manifest) is; null if the store does not keep it. */
    public Path blob(Digest digest) {
        return layers.hasBlob(digest) ? layers.blob(digest) : null;
    }

    boolean hasLayer(LayerKey key) {
        return layers.has(key);
    }

    Path layerDiff(LayerKey key) {
        return layers.diff(key);
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
     * Also removes an image whose image.json is unreadable, so a broken image can always be cleaned
     * up. The layers and blobs no other image names go with it; returns their diff ids.
     */
    public List<String> remove(String name) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        Path dir = imageDir(parsed);
        try (LockFile lock = lock()) {
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
            return collectLocked();
        }
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
        } catch (NoSuchFileException none) {
            return null;
        } catch (IOException e) {
            throw new ImageException("cannot read " + file + ": " + IoReason.of(e), e);
        }
    }

    static void writeConfigFile(Path staging, JsonNode kept) throws ImageException {
        Path file = staging.resolve(CONFIG_FILE);
        try {
            FileModes.write(file, new ObjectMapper().writeValueAsBytes(kept), FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new ImageException("cannot write " + file + ": " + IoReason.of(e), e);
        }
    }

    /**
     * `image tag SOURCE TARGET`: a second name for the same image, sharing its layers (an image of
     * the older one-directory format is migrated to a layer first, so there is something to share).
     */
    public ImageMeta tag(String source, String target) throws ImageException {
        ImageMeta from = migrate(get(source));
        ImageName parsed = ImageName.parse(target);
        requireAbsent(target);
        Path staging = createStaging();
        try {
            byte[] config = configFile(from);
            if (config != null) {
                FileModes.write(staging.resolve(CONFIG_FILE), config, FileModes.PRIVATE_FILE);
            }
            ImageMeta meta = from.withName(parsed.canonical());
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

    /**
     * Deletes every layer and blob that no image names (what an interrupted removal or a replaced
     * image left): the prune half of `image prune`. Returns the removed layers' diff ids.
     */
    public List<String> pruneLayers() throws ImageException {
        try (LockFile lock = lock()) {
            return collectLocked();
        }
    }

    /** The layers (and blobs) every image names, read from the images themselves; then the rest goes. */
    private List<String> collectLocked() throws ImageException {
        Set<LayerKey> used = new HashSet<>();
        Set<Digest> blobs = new HashSet<>();
        for (ImageMeta image : list()) {
            for (String diffId : image.layers()) {
                used.add(LayerKey.of(diffId, image));
            }
            blobs.addAll(layers.blobsOf(image));
        }
        try {
            return layers.collect(used, blobs);
        } catch (IOException e) {
            throw new ImageException("cannot remove unused layers from image store " + root + ": " + IoReason.of(e), e);
        }
    }

    /**
     * Turns an image of the older format (rootfs/) into one layer of the store, named by the digest
     * of its tar as export writes it: what commit and build need to stack a layer on it. Done under
     * the store lock, in place (the tree is renamed, not copied). A layered image is returned as is.
     */
    public ImageMeta migrate(ImageMeta image) throws ImageException {
        if (image.layered()) {
            return image;
        }
        ImageName parsed = ImageName.parse(image.name());
        Path dir = imageDir(parsed);
        Path rootfs = dir.resolve(ROOTFS);
        try (LockFile lock = lock()) {
            ImageMeta current = get(image.name());
            if (current.layered()) {
                return current; // another jbox migrated it meanwhile
            }
            Path blob = root.resolve(TEMP_PREFIX + "migrate-" + UUID.randomUUID());
            LayerWriter.Written written;
            try {
                written = new LayerWriter(rootfs, image.uidBase(), image.gidBase()).write(blob);
            } finally {
                try {
                    Files.deleteIfExists(blob);
                } catch (IOException ignored) {
                    // a .tmp- file without a lock: pruneStaging removes it
                }
            }
            LayerKey key = new LayerKey(written.diffId(), image.uidBase(), image.gidBase());
            ImageMeta migrated = current.withLayers(List.of(written.diffId().toString()));
            try {
                Path layer = root.resolve(TEMP_PREFIX + "layer-" + UUID.randomUUID());
                FileModes.createDirectory(layer, FileModes.PRIVATE_DIR);
                Files.move(rootfs, layer.resolve(LayerStore.DIFF), StandardCopyOption.ATOMIC_MOVE);
                layers.install(layer, key);
                Path temp = dir.resolve(ImageMetaFile.FILE_NAME + ".tmp");
                ImageMetaFile.write(temp, migrated);
                Files.move(temp, dir.resolve(ImageMetaFile.FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new ImageException("cannot move image " + image.name() + " from " + rootfs + " into a layer: "
                        + IoReason.of(e), e);
            }
            return migrated;
        }
    }

    /** One layer's disk use and the images that name it. */
    public record LayerUsage(String diffId, long size, List<String> images) {
    }

    /** One image's disk use: its layers' sizes, split into shared (another image names the layer too) and unique. */
    public record ImageUsage(String name, int layers, long size, long shared, long unique) {
    }

    public record Usage(List<ImageUsage> images, List<LayerUsage> layers) {
    }

    /** The apparent size of any tree (a container's writable layer, for df); 0 if it is gone. */
    public static long treeSize(Path tree) throws ImageException {
        return Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS) ? LayerStore.size(tree) : 0;
    }

    /** What `system df` shows: sizes are the files' apparent sizes (a hard-linked file once per layer). */
    public Usage usage() throws ImageException {
        List<ImageMeta> images = list();
        Map<LayerKey, List<String>> users = new LinkedHashMap<>();
        try {
            for (LayerKey key : layers.layers()) {
                users.put(key, new ArrayList<>());
            }
        } catch (IOException e) {
            throw new ImageException("cannot list the layers of image store " + root + ": " + IoReason.of(e), e);
        }
        for (ImageMeta image : images) {
            for (String diffId : image.layers()) {
                users.computeIfAbsent(LayerKey.of(diffId, image), k -> new ArrayList<>()).add(image.name());
            }
        }
        Map<LayerKey, Long> sizes = new HashMap<>();
        List<LayerUsage> layerUsage = new ArrayList<>();
        for (Map.Entry<LayerKey, List<String>> e : users.entrySet()) {
            long size = layers.has(e.getKey()) ? LayerStore.size(layers.diff(e.getKey())) : 0;
            sizes.put(e.getKey(), size);
            layerUsage.add(new LayerUsage(e.getKey().diffId().toString(), size, List.copyOf(e.getValue())));
        }
        List<ImageUsage> imageUsage = new ArrayList<>();
        for (ImageMeta image : images) {
            if (!image.layered()) {
                long size = LayerStore.size(rootfs(image));
                imageUsage.add(new ImageUsage(image.name(), 1, size, 0, size));
                continue;
            }
            long shared = 0;
            long unique = 0;
            for (String diffId : new LinkedHashSet<>(image.layers())) {
                LayerKey key = LayerKey.of(diffId, image);
                long size = sizes.getOrDefault(key, 0L);
                if (new HashSet<>(users.get(key)).size() > 1) {
                    shared += size;
                } else {
                    unique += size;
                }
            }
            imageUsage.add(new ImageUsage(image.name(), image.layers().size(), shared + unique, shared, unique));
        }
        return new Usage(imageUsage, layerUsage);
    }

    /** The store lock: publishing, removal and collection take it (briefly); nothing holds it while unpacking. */
    private LockFile lock() throws ImageException {
        try {
            Files.createDirectories(root, FileModes.attribute(FileModes.PRIVATE_DIR));
            return LockFile.acquire(root.resolve(STORE_LOCK));
        } catch (IOException e) {
            throw new ImageException("cannot lock image store " + root + ": " + IoReason.of(e), e);
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

    /** A new, empty directory for one layer in the staging dir: fill its diff/, then name it with {@link #stageLayer}. */
    Path newStagingLayer(Path staging) throws ImageException {
        Path dir = staging.resolve(STAGED_LAYERS).resolve(".new-" + UUID.randomUUID());
        try {
            Files.createDirectories(dir.getParent(), FileModes.attribute(FileModes.PRIVATE_DIR));
            FileModes.createDirectory(dir, FileModes.PRIVATE_DIR);
        } catch (IOException e) {
            throw new ImageException("cannot create a layer directory in " + staging + ": " + IoReason.of(e), e);
        }
        return dir;
    }

    /** The diff/ to fill in a directory made by {@link #newStagingLayer}. */
    static Path diffOf(Path stagingLayer) {
        return stagingLayer.resolve(LayerStore.DIFF);
    }

    /** Names a filled staging layer by its key (the diff id is known only once it is unpacked); returns its diff/. */
    Path stageLayer(Path staging, Path stagingLayer, LayerKey key) throws ImageException {
        Path target = staging.resolve(STAGED_LAYERS).resolve(key.dirName());
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                TreeDeletion.delete(stagingLayer); // the same layer twice in one image
            } else {
                Files.move(stagingLayer, target, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new ImageException("cannot stage layer " + key.diffId() + " in " + staging + ": " + IoReason.of(e), e);
        }
        return target.resolve(LayerStore.DIFF);
    }

    /** The layer's diff/ if this staging dir or the store has it, else null: a layer is unpacked once. */
    Path existingDiff(Path staging, LayerKey key) {
        Path staged = staging.resolve(STAGED_LAYERS).resolve(key.dirName()).resolve(LayerStore.DIFF);
        if (Files.isDirectory(staged, LinkOption.NOFOLLOW_LINKS)) {
            return staged;
        }
        return layers.has(key) ? layers.diff(key) : null;
    }

    /** Keeps a blob with the image (hard link when it is on the same filesystem, else a copy). */
    void stageBlob(Path staging, Digest digest, Path source) throws ImageException {
        Path target = stagedBlob(staging, digest);
        try {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try {
                Files.createLink(target, source);
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(source, target);
            }
            FileModes.set(target, FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new ImageException("cannot keep blob " + digest + " from " + source + ": " + IoReason.of(e), e);
        }
    }

    void stageBlob(Path staging, Digest digest, byte[] content) throws ImageException {
        Path target = stagedBlob(staging, digest);
        try {
            FileModes.write(target, content, FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new ImageException("cannot write blob " + digest + " to " + target + ": " + IoReason.of(e), e);
        }
    }

    private Path stagedBlob(Path staging, Digest digest) throws ImageException {
        Path dir = staging.resolve(STAGED_BLOBS);
        try {
            if (!Files.isDirectory(dir)) {
                FileModes.createDirectory(dir, FileModes.PRIVATE_DIR);
            }
        } catch (IOException e) {
            throw new ImageException("cannot create " + dir + ": " + IoReason.of(e), e);
        }
        return dir.resolve(digest.hex());
    }

    /** Staged layers and blobs move into the shared store; every layer the image names must then be there. */
    private void installStaged(Path staging, ImageMeta meta) throws ImageException {
        Path stagedLayers = staging.resolve(STAGED_LAYERS);
        Path stagedBlobs = staging.resolve(STAGED_BLOBS);
        try {
            if (Files.isDirectory(stagedLayers)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagedLayers)) {
                    for (Path entry : entries) {
                        LayerKey key = LayerKey.parse(entry.getFileName().toString());
                        if (key != null) {
                            layers.install(entry, key);
                        }
                    }
                }
                TreeDeletion.delete(stagedLayers);
            }
            if (Files.isDirectory(stagedBlobs)) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(stagedBlobs)) {
                    for (Path entry : entries) {
                        layers.installBlob(entry, new Digest(entry.getFileName().toString()));
                    }
                }
                TreeDeletion.delete(stagedBlobs);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ImageException("cannot move the layers of image " + meta.name() + " into image store " + root
                    + ": " + e.getMessage(), e);
        }
        for (String diffId : meta.layers()) {
            LayerKey key = LayerKey.of(diffId, meta);
            if (!layers.has(key)) {
                throw new ImageException("layer " + diffId + " of image " + meta.name()
                        + " was removed while the image was being made (by an image rm?): run the command again");
            }
        }
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
        try (LockFile lock = lock()) {
            installStaged(staging, meta);
            if (publishLocked(staging, meta, replace)) {
                collectLocked(); // the replaced image's layers, if no other image has them
            }
        }
    }

    /** True if an older image of that name was replaced. */
    private boolean publishLocked(Path staging, ImageMeta meta, boolean replace) throws ImageException {
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
        return old != null;
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
