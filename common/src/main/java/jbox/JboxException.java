package jbox;

import java.util.ArrayList;
import java.util.List;

/**
 * The one error type of jbox: a one-line, lowercase message that names what failed, on which
 * path and why, plus the exit status the CLI returns for it (125 for jbox's own failures, 126/127
 * for a command that cannot be executed or found, as docker does).
 *
 * <p>Optional fields say what kind of failure it is without parsing the words: the {@link
 * Operation}, the paths involved and the errno (0 when there is none). A hint for a known cause is
 * chosen by (operation, errno) in {@link Hints} and ends the message. Build one with {@link
 * #builder(String)} when you have those fields; the plain constructors remain for the rest.
 */
public class JboxException extends Exception {
    public static final int FAILED = 125;
    public static final int NOT_EXECUTABLE = 126;
    public static final int NOT_FOUND = 127;

    private final int exitCode;
    private final Operation operation;
    private final List<String> paths;
    private final int errno;

    public JboxException(String message) {
        this(message, FAILED, null);
    }

    public JboxException(String message, Throwable cause) {
        this(message, FAILED, cause);
    }

    public JboxException(String message, int exitCode, Throwable cause) {
        super(oneLine(message), cause);
        this.exitCode = exitCode;
        this.operation = null;
        this.paths = List.of();
        this.errno = 0;
    }

    private JboxException(Builder b) {
        super(oneLine(b.message()), b.cause);
        this.exitCode = b.exitCode;
        this.operation = b.operation;
        this.paths = List.copyOf(b.paths);
        this.errno = b.errno;
    }

    /** An error whose message starts with {@code what} ("mount proc on /proc failed"). */
    public static Builder builder(String what) {
        return new Builder(what);
    }

    public int exitCode() {
        return exitCode;
    }

    /** What jbox was doing, or null when the error does not say. */
    public Operation operation() {
        return operation;
    }

    /** The paths the failure concerns, in the order given; empty when none was recorded. */
    public List<String> paths() {
        return paths;
    }

    /** The errno of the failed call, or 0. */
    public int errno() {
        return errno;
    }

    /** Messages may embed names from untrusted archives or configs; a newline there must not break the one-line contract. */
    private static String oneLine(String message) {
        return message == null ? null : message.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * The fields of one error. The message is {@code what}, then ": " and the reason (given, or
     * the errno's words), then the hint for (operation, errno) if there is one.
     */
    public static final class Builder {
        private final String what;
        private Operation operation;
        private final List<String> paths = new ArrayList<>();
        private int errno;
        private String reason;
        private int exitCode = FAILED;
        private Throwable cause;

        private Builder(String what) {
            this.what = what;
        }

        public Builder operation(Operation op) {
            this.operation = op;
            return this;
        }

        public Builder path(Object path) {
            paths.add(String.valueOf(path));
            return this;
        }

        public Builder errno(int errno) {
            this.errno = errno;
            return this;
        }

        /** The "why" words, when they are not the errno's own (a JDK reason, a hook's exit status). */
        public Builder reason(String why) {
            this.reason = why;
            return this;
        }

        public Builder exitCode(int status) {
            this.exitCode = status;
            return this;
        }

        public Builder cause(Throwable t) {
            this.cause = t;
            return this;
        }

        private String message() {
            String why = reason != null ? reason : errno != 0 ? Errno.describe(errno) : null;
            return what + (why == null ? "" : ": " + why) + Hints.of(operation, errno);
        }

        public JboxException build() {
            return new JboxException(this);
        }
    }
}
