// Receives how far an import has read through its (compressed) input file.
package jbox.image;

/** Called from the importing thread; implementations must be cheap or throttle themselves. */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores all progress (scripts, tests, non-interactive runs). */
    ProgressListener NONE = (bytesRead, totalBytes) -> { };

    /**
     * @param bytesRead  bytes of the input file consumed so far (compressed bytes for .tar.gz)
     * @param totalBytes the input file's size, or -1 when unknown
     */
    void update(long bytesRead, long totalBytes);

    /** The input has been fully read (successfully or not); a chance to end a progress line. */
    default void finish() {
    }

    /**
     * Something the import left out on purpose (device nodes, some xattrs), one line, after
     * {@link #finish}. Ignored by default; a listener with the caller's stream prints it there
     * (never System.err: one engine serves many callers).
     */
    default void warning(String line) {
    }
}
