// Imports a rootfs tarball (plain, gzip, xz, bzip2 or zstd) into the image store as a new image.
package jbox.image;

import jbox.io.IoReason;

import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Streams the archive straight from disk into a staging dir of the store (memory use does not
 * grow with the archive), then publishes it atomically. On any failure the staging dir is deleted,
 * so either the complete image exists afterwards or nothing does.
 */
public final class TarImporter {

    /** Read-ahead on the raw file: few, large reads are what make plain-tar import as fast as tar -x. */
    private static final int FILE_BUFFER = 1 << 20;
    private static final int ROOTFS_MODE = 0755;
    static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final ImportLimits limits;

    /** Without limits: for tests and trusted tars. */
    public TarImporter() {
        this(ImportLimits.NONE);
    }

    public TarImporter(ImportLimits limits) {
        this.limits = limits;
    }

    public ImageMeta importTar(ImageStore store, String name, Path tarFile, IdShift shift, ProgressListener progress)
            throws ImageException {
        ImageName parsed = ImageName.parse(name);
        store.requireAbsent(name);
        long size = tarFileSize(tarFile);
        Path staging = store.createStaging();
        ImportBudget budget = limits.budget();
        try {
            Path layer = store.newStagingLayer(staging);
            Digest diffId = extract(ImageStore.diffOf(layer), tarFile, size, shift, progress, budget);
            ImageMeta meta = rootfsLayer(store, staging, layer, parsed, shift, tarFile, diffId);
            store.publish(staging, meta);
            budget.warnings().report(progress);
            return meta;
        } catch (ImageException | RuntimeException | Error e) {
            store.discard(staging, e);
            throw e;
        }
    }

    /**
     * A plain rootfs is one layer, named by the digest of the uncompressed tar (its diff id, as if it
     * were an image layer), so importing one tarball twice stores it once. It has no config:
     * /bin/sh (if there is one) is its command.
     */
    static ImageMeta rootfsLayer(ImageStore store, Path staging, Path layer, ImageName name, IdShift shift,
            Path tarFile, Digest diffId) throws ImageException {
        List<String> cmd = hasShell(ImageStore.diffOf(layer)) ? List.of("/bin/sh") : List.of();
        store.stageLayer(staging, layer, LayerKey.of(diffId, shift));
        return new ImageMeta(name.canonical(), cmd, List.of(), List.of(DEFAULT_PATH), "", "",
                Instant.now().toString(), shift.uidBase(), shift.gidBase(), tarFile.getFileName().toString())
                .withLayers(List.of(diffId.toString()));
    }

    static long tarFileSize(Path tarFile) throws ImageException {
        if (!Files.isRegularFile(tarFile)) {
            throw new ImageException("tar file not found: " + tarFile);
        }
        try {
            return Files.size(tarFile);
        } catch (IOException e) {
            throw new ImageException("cannot read tar file " + tarFile + ": " + IoReason.of(e), e);
        }
    }

    /** Returns the digest of the uncompressed tar: the diff id of the layer it becomes. */
    static Digest extract(Path rootfs, Path tarFile, long size, IdShift shift, ProgressListener progress,
            ImportBudget budget) throws ImageException {
        createRootfs(rootfs, shift);
        try (InputStream file = Files.newInputStream(tarFile);
             BufferedInputStream raw = new BufferedInputStream(new ProgressInputStream(file, progress, size),
                     FILE_BUFFER);
             HashedTar tar = HashedTar.of(raw, tarFile.toString())) {
            new LayerExtractor(rootfs, shift, tarFile.toString(), budget).apply(tar.stream());
            drain(tar.stream(), tarFile.toString(), budget);
            return tar.digest();
        } catch (IOException e) {
            throw new ImageException("cannot read tar file " + tarFile + ": " + IoReason.of(e), e);
        } finally {
            progress.finish();
        }
    }

    /**
     * The uncompressed tar and its SHA-256. A compressed tar is inflated on a thread of its own
     * ({@link CompressionFormat#decompress}); a plain one is read and hashed on one, so on either
     * the hashing overlaps writing the files (on one thread, it was a sixth of a plain import).
     */
    private record HashedTar(InputStream stream, VerifyingInputStream hashed) implements AutoCloseable {
        static HashedTar of(BufferedInputStream raw, String sourceName) throws IOException, ImageException {
            CompressionFormat format = CompressionFormat.sniff(raw);
            VerifyingInputStream hashed = new VerifyingInputStream(format.decompress(raw, sourceName));
            return new HashedTar(format == CompressionFormat.PLAIN ? ReadAhead.of(hashed, sourceName) : hashed, hashed);
        }

        /** After reading to the end: the read-ahead thread hashed its last bytes before it handed over the end. */
        Digest digest() {
            return hashed.digest();
        }

        @Override
        public void close() throws IOException {
            stream.close(); // stops the read-ahead thread (if any) before the file closes
            hashed.close();
        }
    }

    /** The image root: owned by container root, rwxr-xr-x. */
    static void createRootfs(Path rootfs, IdShift shift) throws ImageException {
        try {
            Files.createDirectory(rootfs);
            PosixAttributes.lchown(rootfs, shift.hostUid(0), shift.hostGid(0));
            PosixAttributes.chmod(rootfs, ROOTFS_MODE);
        } catch (IOException e) {
            throw new ImageException("cannot create rootfs directory " + rootfs + ": " + IoReason.of(e), e);
        }
    }

    /**
     * The tar reader stops at the end-of-archive marker, before a gzip/xz trailer is checked.
     * Reading to the real end makes a truncated or corrupt compressed file fail the import. What
     * follows the marker counts as unpacked too: a bomb may hide its gigabytes there.
     */
    static void drain(InputStream tar, String tarFile, ImportBudget budget) throws ImageException {
        byte[] sink = new byte[1 << 16];
        try {
            for (int n; (n = tar.read(sink)) >= 0; ) {
                budget.unpacked(n); // discarded: only the decompressor's end-of-stream checks matter here
            }
        } catch (IOException e) {
            throw new ImageException("cannot read tar file " + tarFile + " after its last entry: " + IoReason.of(e), e);
        }
    }

    /** Follows symlinks the way the container will (bin -> usr/bin is common), never out of the rootfs. */
    private static boolean hasShell(Path rootfs) {
        try {
            Path sh = new InRootResolver(rootfs).onHost(ContainerPath.of("/bin/sh"));
            return Files.exists(sh, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(sh, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false; // a link loop or an unreadable link: no usable shell to default to
        }
    }
}
