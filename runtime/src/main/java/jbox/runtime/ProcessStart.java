package jbox.runtime;

import java.io.IOException;
import java.nio.file.Path;
import jbox.ProcFile;

/**
 * A process's start time in clock ticks since boot (field 22 of /proc/PID/stat): with the pid it
 * identifies a process for good, so a pid reused after our shim died is not taken for it.
 */
public final class ProcessStart {
    private ProcessStart() {
    }

    /** The start time, or 0 when the process does not exist. */
    public static long of(long pid) {
        return ProcFile.startTime(pid);
    }

    /** The parent's pid (field 4 of /proc/PID/stat), or 0 when the process does not exist. */
    public static long parent(long pid) {
        String stat;
        try {
            stat = ProcFile.read(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return 0;
        }
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    /** Running, and not a zombie: a monitor whose jbox died is reaped by init, which may take a while. */
    public static boolean alive(long pid, long startTime) {
        return ProcFile.isAlive(pid, startTime);
    }
}
