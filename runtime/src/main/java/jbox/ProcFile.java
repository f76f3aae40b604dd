package jbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a /proc file whole. procfs reports a size of 0, and Files.readString trusts the size
 * (it returned "9" for a max_user_namespaces of 96365 here): read the stream to EOF instead.
 */
public final class ProcFile {
    private ProcFile() {
    }

    /**
     * A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or 0 when there
     * is no such process. With the pid it names one process for good: a pid can be reused, the
     * pair cannot.
     */
    public static long startTime(long pid) {
        String stat;
        try {
            stat = read(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return 0;
        }
        // The command name (field 2) may contain spaces and ')': fields count from the last ')'.
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    }

    /** Whether {@code pid} is still the process recorded with {@code startTime} (an unrecorded 0 never is). */
    public static boolean isSameProcess(long pid, long startTime) {
        return pid > 0 && startTime != 0 && startTime(pid) == startTime;
    }

    /**
     * Whether {@code pid} is the process recorded with {@code startTime} and has not exited: a
     * zombie nobody reaped yet counts as gone (a handed-over init waits for its caller's wait()).
     */
    public static boolean isAlive(long pid, long startTime) {
        if (pid <= 0 || startTime == 0) {
            return false;
        }
        String stat;
        try {
            stat = read(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return false;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return !f[0].equals("Z") && !f[0].equals("X") && Long.parseLong(f[19]) == startTime;
    }

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
