package jbox;

/**
 * The one error type of jbox: a one-line, lowercase message that names what failed, on which
 * path and why, plus the exit status the CLI returns for it (125 for jbox's own failures, 126/127
 * for a command that cannot be executed or found, as docker does).
 */
public final class JboxException extends Exception {
    public static final int FAILED = 125;
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;

    private final int exitCode;

    public JboxException(String message) {
        this(message, FAILED, null);
    }

    public JboxException(String message, Throwable cause) {
        this(message, FAILED, cause);
    }

    public JboxException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
