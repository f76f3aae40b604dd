// Deletes a directory tree without ever following a symlink, so a hostile rootfs cannot redirect the delete.
package jbox.rootfs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

public final class TreeDeletion {

    private TreeDeletion() {
    }

    /**
     * Removes {@code path} and everything below it. walkFileTree without FOLLOW_LINKS reports a
     * symlink as a plain entry, and Files.delete on it unlinks the link itself, never its target.
     */
    public static void delete(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException error) throws IOException {
                if (error instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw error;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException error) throws IOException {
                if (error != null) {
                    throw error;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Cleanup after a failure: the original error matters more than a second one while tidying up. */
    public static void deleteQuietly(Path path, Throwable original) {
        try {
            delete(path);
        } catch (IOException | RuntimeException e) {
            original.addSuppressed(e);
        }
    }
}
