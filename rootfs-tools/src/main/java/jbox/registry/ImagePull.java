// `jbox pull`: an image from a registry (OCI distribution API) into the image store, through the image importer.
package jbox.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jbox.image.Digest;
import jbox.image.IdShift;
import jbox.image.ImageException;
import jbox.image.ImageImporter;
import jbox.image.ImageMeta;
import jbox.image.ImageName;
import jbox.image.ImageStore;
import jbox.image.ImportLimits;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.rootfs.TreeDeletion;

/**
 * The manifest (through an index, for this platform), the config and the layers are fetched into
 * {@code downloads/MANIFEST_HEX/}, which is laid out as an OCI image layout; the image importer
 * then reads it like any layout (verifying every blob again, applying layers, shifting owners) and
 * publishes the image. The directory is removed after the import, and also after any failure but
 * an interrupted transfer, whose partial blobs stay there for the next pull to resume. A lock per
 * manifest keeps two pulls of one image from writing the same files.
 */
public final class ImagePull {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}";

    /** @param upToDate the store already had this manifest under this name: nothing was downloaded */
    public record Result(ImageMeta meta, Digest manifest, boolean upToDate) {
    }

    private final RegistrySettings settings;
    private final ImportLimits limits;
    private final IdShift shift;
    private final TransferDisplay display;

    public ImagePull(RegistrySettings settings, ImportLimits limits, IdShift shift, TransferDisplay display) {
        this.settings = settings;
        this.limits = limits;
        this.shift = shift;
        this.display = display;
    }

    /** @param platform "os/arch[/variant]" to choose from a multi-platform image, or null for the host's */
    public Result pull(ImageStore store, String name, String platform) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        RemoteImage remote = RemoteImage.of(parsed);
        Platform wanted = platform == null ? Platform.host() : Platform.parse(platform);
        RegistryClient client = new RegistryClient(remote.registry(), remote.path(), "pull", settings,
                new AuthFile(settings.authFile()).find(remote.registry()));
        client.connect();
        Digest pinned = remote.byDigest() ? Digest.parse(remote.reference(), name) : null;
        Manifests.Document manifest = Manifests.fetch(client, remote, remote.reference(), pinned, -1);
        if (Manifests.INDEXES.contains(manifest.mediaType())) {
            List<Platform.Entry> entries = Manifests.entries(manifest);
            Platform.Entry chosen = wanted.choose(entries).orElseThrow(() -> new ImageException(remote
                    + " has no image for " + wanted + " (it has: " + entries.stream()
                    .map(e -> e.os() + "/" + e.architecture() + (e.variant() == null ? "" : "/" + e.variant()))
                    .distinct().collect(Collectors.joining(", ")) + ")"));
            manifest = Manifests.fetch(client, remote, chosen.digest(), Digest.parse(chosen.digest(), name),
                    chosen.size());
            if (!Manifests.MANIFESTS.contains(manifest.mediaType())) {
                throw new ImageException(remote + " entry for " + wanted + " is " + manifest.mediaType()
                        + ", not an image manifest");
            }
        }
        String stored = parsed.canonical();
        boolean exists = store.exists(stored);
        if (exists && store.get(stored).digest().equals(manifest.digest().toString())) {
            return new Result(store.get(stored), manifest.digest(), true);
        }
        Manifests.Blob config = Manifests.config(manifest);
        List<Manifests.Blob> layers = Manifests.layers(manifest);
        checkBeforeDownload(remote, config);
        return fetchAndImport(store, stored, remote, client, manifest, config, layers, exists);
    }

    /** What can be refused from the manifest alone is refused before a byte of a layer is fetched. */
    private static void checkBeforeDownload(RemoteImage remote, Manifests.Blob config) throws ImageException {
        if (config.size() > Manifests.MAX_DOCUMENT) {
            throw new ImageException(remote + " has a config of " + config.size() + " bytes, more than "
                    + Manifests.MAX_DOCUMENT);
        }
    }

    private Result fetchAndImport(ImageStore store, String stored, RemoteImage remote, RegistryClient client,
            Manifests.Document manifest, Manifests.Blob config, List<Manifests.Blob> layers, boolean replace)
            throws ImageException {
        Path dir = settings.downloads().resolve(manifest.digest().hex());
        Path lockPath = settings.downloads().resolve(manifest.digest().hex() + ".lock");
        try (LockFile lock = lock(lockPath)) {
            Path blobs = dir.resolve("blobs/sha256");
            boolean keep = false;
            try {
                prepare(dir, blobs, manifest);
                new BlobFetch(client, blobs, config.digest(), config.size(), "config")
                        .fetch(TransferDisplay.silent().line("config", config.size()));
                fetchLayers(client, blobs, layers);
                display.finish();
                ImageMeta meta = new ImageImporter(limits).importLayout(store, stored, dir, "registry " + remote,
                        shift, replace);
                return new Result(meta, manifest.digest(), false);
            } catch (BlobFetch.Interrupted e) {
                keep = true;
                throw e;
            } finally {
                display.finish();
                if (!keep) {
                    removeQuietly(dir);
                    Files.deleteIfExists(lockPath);
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot use download directory " + dir + ": " + IoReason.of(e), e);
        }
    }

    /** The pull's lock; one whose file was removed by the pull it waited for is taken again on the new file. */
    private static LockFile lock(Path lockPath) throws IOException {
        while (true) {
            LockFile lock = LockFile.acquire(lockPath);
            if (Files.exists(lockPath, LinkOption.NOFOLLOW_LINKS)) {
                return lock;
            }
            lock.close();
        }
    }

    /** downloads/ and the pull's directory are root's alone; oci-layout, index.json and the manifest go in first. */
    private void prepare(Path dir, Path blobs, Manifests.Document manifest) throws IOException {
        Files.createDirectories(blobs, FileModes.attribute(FileModes.PRIVATE_DIR));
        for (Path p = blobs; p != null && p.startsWith(settings.downloads()); p = p.getParent()) {
            FileModes.set(p, FileModes.PRIVATE_DIR);
        }
        FileModes.write(dir.resolve("oci-layout"), OCI_LAYOUT.getBytes(StandardCharsets.UTF_8),
                FileModes.PRIVATE_FILE);
        FileModes.write(blobs.resolve(manifest.digest().hex()), manifest.content(), FileModes.PRIVATE_FILE);
        ObjectNode index = JSON.createObjectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", Manifests.OCI_INDEX);
        index.putArray("manifests").addObject()
                .put("mediaType", manifest.mediaType())
                .put("digest", manifest.digest().toString())
                .put("size", manifest.content().length);
        FileModes.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index), FileModes.PRIVATE_FILE);
    }

    /** Up to registry.max_downloads layers at once; the first failure stops the others. */
    private void fetchLayers(RegistryClient client, Path blobs, List<Manifests.Blob> layers) throws ImageException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.parallel(), Math.max(1, layers.size())),
                r -> {
                    Thread t = new Thread(r, "jbox-pull");
                    t.setDaemon(true);
                    return t;
                });
        List<Future<Path>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < layers.size(); i++) {
                Manifests.Blob layer = layers.get(i);
                String what = "layer " + (i + 1);
                TransferDisplay.Line line = display.line(layer.digest().hex().substring(0, 12), layer.size());
                futures.add(pool.submit(() -> new BlobFetch(client, blobs, layer.digest(), layer.size(), what)
                        .fetch(line)));
            }
            for (Future<Path> f : futures) {
                f.get();
            }
        } catch (ExecutionException e) {
            pool.shutdownNow();
            awaitQuietly(pool);
            if (e.getCause() instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException("layer download failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
            awaitQuietly(pool);
            throw new BlobFetch.Interrupted("pull interrupted (run it again to resume)", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            TreeDeletion.delete(dir);
        } catch (IOException e) {
            // left for the next pull of this manifest, which starts by checking what is there
        }
    }
}
