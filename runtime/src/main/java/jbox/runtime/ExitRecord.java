package jbox.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import jbox.JboxException;

/** The shim's exit record, "status user_us sys_us maxrss_kb": the wait status is what we use. */
final class ExitRecord {
    /** A wait status meaning "killed by SIGKILL", for a record that is missing (the shim died first). */
    static final int UNKNOWN = 9;

    private ExitRecord() {
    }

    static int read(Path file) throws JboxException {
        try {
            String[] f = Files.readString(file).trim().split(" ");
            return Integer.parseInt(f[0]);
        } catch (NoSuchFileException e) {
            return UNKNOWN;
        } catch (IOException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new JboxException("cannot read the exit record " + file + ": " + jbox.io.IoReason.of(e), e);
        }
    }
}
