// An OCI image layout or docker-archive as a directory: its files are found by resolving paths inside it.
package jbox.image;

import jbox.io.IoReason;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Paths come from untrusted documents (manifest.json's Layers, descriptor digests) and the
 * directory may have been unpacked from an archive, so symlinks in it (docker save writes some for
 * repeated layers) are resolved as if the directory were a root: nothing outside it is ever read.
 */
final class ArchiveDir {

    /** Manifests, indexes and configs are small; a bigger one is not worth holding in memory. */
    private static final int MAX_DOCUMENT = 4 << 20;

    private final Path root;

    ArchiveDir(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    static String blobPath(Digest digest) {
        return "blobs/sha256/" + digest.hex();
    }

    boolean isFile(String relative) {
        try {
            return Files.isRegularFile(resolve(relative), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    /** The file's host path after in-root resolution; fails unless it is a regular file. */
    Path file(String relative, String what) throws ImageException {
        Path file;
        try {
            file = resolve(relative);
        } catch (IOException e) {
            throw new ImageException("cannot find " + what + " " + relative + " in " + root + ": " + IoReason.of(e), e);
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new ImageException(what + " " + relative + " is missing from " + root);
        }
        return file;
    }

    InputStream open(String relative, String what) throws ImageException {
        Path file = file(relative, what);
        try {
            return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + file + ": " + IoReason.of(e), e);
        }
    }

    /** Reads a JSON document whole; with {@code expected}, its digest and size must match. */
    byte[] readDocument(String relative, Descriptor expected, String what) throws ImageException {
        Path file = file(relative, what);
        byte[] content;
        try {
            if (Files.size(file) > MAX_DOCUMENT) {
                throw new ImageException(what + " " + file + " is larger than " + MAX_DOCUMENT + " bytes");
            }
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + file + ": " + IoReason.of(e), e);
        }
        if (expected != null) {
            VerifyingInputStream.check(what, relative, expected.digest(), expected.size(), Digest.of(content),
                    content.length);
        }
        return content;
    }

    private Path resolve(String relative) throws IOException {
        return new InRootResolver(root).onHost(ContainerPath.of("/" + relative));
    }
}
