package jbox.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import jbox.JboxException;
import jbox.io.AtomicFile;
import jbox.io.FileModes;
import jbox.io.IoReason;

/**
 * docker's --restart no|on-failure[:N]|always|unless-stopped, kept in the container's state
 * directory (file {@value #FILE}: "POLICY COUNT STOPPED"), since a detached container's monitor is
 * its shim and the decision is made by the `internal-finish` the shim runs at the end: no jbox
 * process needs to live on. An explicit `jbox stop` (or `kill`) sets STOPPED, so the container
 * stays down until the next `jbox start`, which clears it. unless-stopped is always here: jbox has
 * no daemon whose own restart would tell them apart.
 */
public record RestartPolicy(Kind kind, int maxRetries) {
    public static final String FILE = "restart";
    /** The first delay before a restart; doubled for each restart, at most {@link #MAX_DELAY_MILLIS}. */
    static final long FIRST_DELAY_MILLIS = 100;
    static final long MAX_DELAY_MILLIS = 30_000;

    public enum Kind { NO, ON_FAILURE, ALWAYS, UNLESS_STOPPED }

    /** What the state directory says: the policy, how often it restarted, whether a user stopped it. */
    public record State(RestartPolicy policy, int count, boolean stopped) {
        /** Whether a container that exited with {@code exitCode} starts again now. */
        public boolean due(int exitCode) {
            if (stopped) {
                return false;
            }
            return switch (policy.kind()) {
                case NO -> false;
                case ALWAYS, UNLESS_STOPPED -> true;
                case ON_FAILURE -> exitCode != 0 && (policy.maxRetries() == 0 || count < policy.maxRetries());
            };
        }

        /** docker's back-off: 100 ms, doubled on each restart, capped. */
        public long delayMillis() {
            return Math.min(MAX_DELAY_MILLIS, FIRST_DELAY_MILLIS << Math.min(count, 20));
        }
    }

    /** Parses --restart's value. */
    public static RestartPolicy parse(String value) throws JboxException {
        String v = value.trim();
        int colon = v.indexOf(':');
        String name = colon < 0 ? v : v.substring(0, colon);
        Kind kind = switch (name) {
            case "no" -> Kind.NO;
            case "on-failure" -> Kind.ON_FAILURE;
            case "always" -> Kind.ALWAYS;
            case "unless-stopped" -> Kind.UNLESS_STOPPED;
            default -> throw new JboxException("invalid --restart " + value + " (use no, on-failure[:N], always or unless-stopped)");
        };
        int max = 0;
        if (colon >= 0) {
            if (kind != Kind.ON_FAILURE) {
                throw new JboxException("invalid --restart " + value + ": only on-failure takes a maximum count");
            }
            try {
                max = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max < 0) {
                throw new JboxException("invalid --restart " + value + ": the count must be a number >= 0");
            }
        }
        return new RestartPolicy(kind, max);
    }

    /** docker refuses --restart with --rm; a foreground run's monitor is the jbox that waits, which would have to stay. */
    public void check(boolean detached, boolean autoRemove) throws JboxException {
        if (kind == Kind.NO) {
            return;
        }
        if (autoRemove) {
            throw new JboxException("--restart " + this + " and --rm conflict: a removed container cannot start again");
        }
        if (!detached) {
            throw new JboxException("--restart " + this + " needs --detach: a detached container's monitor keeps the policy");
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NO -> "no";
            case ALWAYS -> "always";
            case UNLESS_STOPPED -> "unless-stopped";
            case ON_FAILURE -> maxRetries == 0 ? "on-failure" : "on-failure:" + maxRetries;
        };
    }

    /** Records the policy of a new container (count 0, not stopped). */
    public void write(Path stateDir) throws JboxException {
        save(stateDir, new State(this, 0, false));
    }

    /** The recorded state; "no" with nothing recorded (a container run without --restart). */
    public static State read(Path stateDir) throws JboxException {
        Path f = stateDir.resolve(FILE);
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return new State(new RestartPolicy(Kind.NO, 0), 0, false);
        } catch (IOException e) {
            throw new JboxException("cannot read " + f + ": " + IoReason.of(e), e);
        }
        String[] p = text.split(" ");
        try {
            return new State(parse(p[0]), Integer.parseInt(p[1]), p[2].equals("1"));
        } catch (RuntimeException e) {
            throw new JboxException("malformed restart record " + f + ": " + text, e);
        }
    }

    static void save(Path stateDir, State s) throws JboxException {
        Path f = stateDir.resolve(FILE);
        try {
            AtomicFile.write(f, (s.policy() + " " + s.count() + " " + (s.stopped() ? 1 : 0) + "\n")
                    .getBytes(StandardCharsets.UTF_8), FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new JboxException("cannot write " + f + ": " + IoReason.of(e), e);
        }
    }

    /** `jbox stop`/`kill`: no restart until the next `jbox start`. Nothing to record without a policy. */
    public static void markStopped(Path stateDir, boolean stopped) throws JboxException {
        State s = read(stateDir);
        if (s.policy().kind() != Kind.NO && s.stopped() != stopped) {
            save(stateDir, new State(s.policy(), s.count(), stopped));
        }
    }

    /** One more restart counted. */
    static void counted(Path stateDir, State s) throws JboxException {
        save(stateDir, new State(s.policy(), s.count() + 1, s.stopped()));
    }
}
