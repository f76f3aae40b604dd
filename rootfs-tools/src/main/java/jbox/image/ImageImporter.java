// `jbox image import`: recognises a rootfs tarball, an OCI image layout (dir or tar) or a docker-archive, and imports it.
package jbox.image;

import jbox.io.IoReason;
import jbox.rootfs.TreeDeletion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Formats are told apart by content, never by file name. A tar file is unpacked (by the same safe
 * extractor as any rootfs) into the staging dir first; if what came out is an OCI layout or a
 * docker-archive, it becomes the source the layers are read from and is deleted before publishing.
 * One staging dir holds everything, so a failure at any point removes all of it.
 */
public final class ImageImporter {

    private static final String SOURCE_DIR = "source";

    private final ImportLimits limits;

    /** Without limits: for tests and trusted sources. */
    public ImageImporter() {
        this(ImportLimits.NONE);
    }

    /** Every import is held to {@code limits}: an archive's files and all its layers together. */
    public ImageImporter(ImportLimits limits) {
        this.limits = limits;
    }

    /**
     * @param source a tar file (rootfs, OCI layout or docker-archive; plain or compressed) or a directory
     *               (OCI layout or docker-archive)
     * @param ref    which image to take when the archive holds several (ref.name annotation or RepoTag); may be null
     */
    public ImageMeta importImage(ImageStore store, String name, Path source, String ref, IdShift shift,
            ProgressListener progress) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        store.requireAbsent(name);
        boolean directory = Files.isDirectory(source);
        if (directory && !isImageArchive(new ArchiveDir(source))) {
            throw new ImageException(source + " is neither an OCI image layout (no " + OciLayoutReader.LAYOUT_FILE
                    + " and " + OciLayoutReader.INDEX_FILE + ") nor a docker-archive (no "
                    + DockerArchiveReader.MANIFEST_FILE + ")");
        }
        long size = directory ? 0 : TarImporter.tarFileSize(source);
        ImportBudget budget = limits.budget();
        Path staging = store.createStaging();
        try {
            ImageMeta meta;
            if (directory) {
                meta = importArchive(store, staging, parsed, new ArchiveDir(source), from(source, ref), ref, shift,
                        budget, false);
            } else {
                Path layer = store.newStagingLayer(staging);
                Digest diffId = TarImporter.extract(ImageStore.diffOf(layer), source, size, shift, progress, budget);
                meta = importUnpacked(store, staging, layer, parsed, source, ref, shift, budget, diffId);
            }
            store.publish(staging, meta);
            budget.warnings().report(progress);
            return meta;
        } catch (ImageException | RuntimeException | Error e) {
            store.discard(staging, e);
            throw e;
        }
    }

    /**
     * Imports an OCI image layout whose blobs were fetched from elsewhere (a registry), through the
     * same reader and layer applier as any layout: every blob is verified again as it is read. The
     * manifest, the config and the compressed layers stay in the store, so a push sends the same
     * blobs (and digests) again.
     *
     * @param from    where it came from, for image.json's source ("registry 127.0.0.1:5000/app:1")
     * @param replace an image of that name is replaced once the new one is complete
     */
    public ImageMeta importLayout(ImageStore store, String name, Path layout, String from, IdShift shift,
            boolean replace) throws ImageException {
        ImageName parsed = ImageName.parse(name);
        if (!replace) {
            store.requireAbsent(name);
        }
        Path staging = store.createStaging();
        try {
            ImageMeta meta = importArchive(store, staging, parsed, new ArchiveDir(layout), from, null, shift,
                    limits.budget(), true);
            store.publish(staging, meta, replace);
            return meta;
        } catch (ImageException | RuntimeException | Error e) {
            store.discard(staging, e);
            throw e;
        }
    }

    /** The tar was unpacked as a layer: either that is the image, or it is an archive to read layers from. */
    private ImageMeta importUnpacked(ImageStore store, Path staging, Path layer, ImageName name, Path tarFile,
            String ref, IdShift shift, ImportBudget budget, Digest diffId) throws ImageException {
        Path unpackedTar = ImageStore.diffOf(layer);
        if (!isImageArchive(new ArchiveDir(unpackedTar))) {
            if (ref != null) {
                throw new ImageException("--ref " + ref + " needs an OCI layout or docker-archive, but " + tarFile
                        + " is a rootfs tarball");
            }
            return TarImporter.rootfsLayer(store, staging, layer, name, shift, tarFile, diffId);
        }
        Path unpacked = staging.resolve(SOURCE_DIR);
        try {
            Files.move(unpackedTar, unpacked);
            Files.delete(layer);
        } catch (IOException e) {
            throw new ImageException("cannot move unpacked " + tarFile + " to " + unpacked + ": " + IoReason.of(e), e);
        }
        ImageMeta meta = importArchive(store, staging, name, new ArchiveDir(unpacked), from(tarFile, ref), ref, shift,
                budget, false);
        try {
            TreeDeletion.delete(unpacked);
        } catch (IOException e) {
            throw new ImageException("cannot delete unpacked archive " + unpacked + ": " + IoReason.of(e), e);
        }
        return meta;
    }

    private static String from(Path source, String ref) {
        return source.getFileName() + (ref == null ? "" : " " + ref);
    }

    /** @param from where the archive came from, after its format in image.json's source */
    /** @param keepBlobs keep the manifest, config and layer blobs in the store (what push sends) */
    private ImageMeta importArchive(ImageStore store, Path staging, ImageName name, ArchiveDir dir, String from,
            String ref, IdShift shift, ImportBudget budget, boolean keepBlobs) throws ImageException {
        ImageContents image = OciLayoutReader.isLayout(dir)
                ? new OciLayoutReader(dir, ref).read()
                : new DockerArchiveReader(dir, ref).read();
        LayerApplier.Applied applied = new LayerApplier(dir, shift, budget).apply(image, store, staging, keepBlobs);
        if (keepBlobs && image.manifestDigest() != null) {
            for (Digest d : List.of(image.manifestDigest(), image.configDigest())) {
                store.stageBlob(staging, d, dir.file(ArchiveDir.blobPath(d), "blob"));
            }
        }
        ImageConfig config = image.config();
        ImageStore.writeConfigFile(staging, config.kept());
        return new ImageMeta(name.canonical(), config.cmd(), config.entrypoint(), config.env(), config.workingDir(),
                ImageUser.numeric(config.user(), applied.stack()), Instant.now().toString(), shift.uidBase(),
                shift.gidBase(), image.format() + " " + from,
                image.manifestDigest() == null ? "" : image.manifestDigest().toString(),
                image.configDigest().toString(), applied.diffIds(), config.exposedPorts());
    }

    /**
     * An OCI layout has both marker files; a docker-archive's manifest.json is a JSON list (a rootfs
     * that happens to hold a manifest.json is very unlikely to hold a list there).
     */
    static boolean isImageArchive(ArchiveDir dir) throws ImageException {
        if (OciLayoutReader.isLayout(dir)) {
            return true;
        }
        if (!DockerArchiveReader.isArchive(dir)) {
            return false;
        }
        Path manifest = dir.file(DockerArchiveReader.MANIFEST_FILE, "docker-archive manifest");
        try (InputStream in = Files.newInputStream(manifest)) {
            int c;
            do {
                c = in.read();
            } while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
            return c == '[';
        } catch (IOException e) {
            throw new ImageException("cannot read " + manifest + ": " + IoReason.of(e), e);
        }
    }
}
