// Turns a low-level exception into the short lowercase "why" part of a one-line error message.
package jbox.io;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import jbox.Errno;

/** NIO exceptions often carry only a path as their message; this recovers a readable reason. */
public final class IoReason {

    private IoReason() {
    }

    public static String of(Throwable error) {
        String text = knownKind(error);
        if (text == null && error instanceof FileSystemException fse && fse.getReason() != null) {
            text = fse.getReason();
        }
        if (text == null) {
            text = error.getMessage();
        }
        if (text == null || text.isBlank()) {
            text = error.getClass().getSimpleName();
        }
        return lowercaseFirst(text);
    }

    /**
     * The errno behind a failed file operation, or 0 when it cannot be told: the JDK keeps the
     * number to itself and gives its strerror words (or, for a few errnos, an exception type).
     */
    public static int errno(Throwable error) {
        if (error instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (error instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (error instanceof FileAlreadyExistsException) {
            return Errno.EEXIST;
        }
        if (error instanceof DirectoryNotEmptyException) {
            return Errno.ENOTEMPTY;
        }
        if (error instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        if (error instanceof FileSystemException fse) {
            return Errno.fromText(fse.getReason());
        }
        return Errno.fromText(error.getMessage());
    }

    /** Library messages are capitalised sentences; ours are lowercase lines. */
    public static String lowercaseFirst(String text) {
        if (text == null || text.isEmpty()) {
            return "unknown error";
        }
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    /** For these the JDK message is just the file name, so the exception type itself is the reason. */
    private static String knownKind(Throwable error) {
        if (error instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (error instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (error instanceof FileAlreadyExistsException) {
            return "file exists";
        }
        if (error instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (error instanceof NotDirectoryException) {
            return "not a directory";
        }
        return null;
    }
}
