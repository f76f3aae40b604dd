package jbox.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's mount points (/proc/self/mountinfo), for finding the mount a directory is on. */
final class MountTable {
    private MountTable() {
    }

    /** The mount point {@code dir} is on: the longest mount point that is a prefix of it ("/" if unreadable). */
    static String mountPointOf(Path dir) {
        String best = "/";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) {
                    continue;
                }
                String mp = f[4].replace("\\040", " ");
                if (dir.startsWith(Path.of(mp)) && mp.length() > best.length()) {
                    best = mp;
                }
            }
        } catch (IOException e) {
            // no /proc: pivot_root will report EINVAL, naming the step
        }
        return best;
    }
}
