package jbox.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * The shim's exit record, "status user_us sys_us maxrss_kb nr:count,...": how a detached
 * container ended, for `jbox internal-finish` to record and report.
 */
final class ExitRecord {
    /** A wait status meaning "killed by SIGKILL", for a record that is missing (the shim died first). */
    static final int UNKNOWN = 9;

    private ExitRecord() {
    }

    static ContainerRunner.Outcome read(Path file) throws JboxException {
        String text;
        try {
            text = Files.readString(file).trim();
        } catch (NoSuchFileException e) {
            return new ContainerRunner.Outcome(UNKNOWN, 0, 0, 0, false, Map.of());
        } catch (IOException e) {
            throw new JboxException("cannot read the exit record " + file + ": " + IoReason.of(e), e);
        }
        try {
            String[] f = text.split(" ");
            Map<Integer, Long> denied = new TreeMap<>();
            if (f.length > 4) {
                for (String pair : f[4].split(",")) {
                    if (!pair.isEmpty()) {
                        String[] p = pair.split(":");
                        denied.put(Integer.parseInt(p[0]), Long.parseLong(p[1]));
                    }
                }
            }
            return new ContainerRunner.Outcome(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Long.parseLong(f[3]), false, denied);
        } catch (RuntimeException e) {
            throw new JboxException("malformed exit record " + file + ": " + text, e);
        }
    }
}
