package jbox.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;

/**
 * Finds jbox-shim: config shim.path, else beside jbox.jar (the launcher passes -Djbox.home). The
 * shim runs as root before the container exists, so it must be root-owned and writable by no one
 * else (a writable shim would let anyone who can write it run code as root; cf. runc CVE-2019-5736).
 */
public final class ShimLocator {
    private ShimLocator() {
    }

    public static Path find(Config config) throws JboxException {
        String configured = config.get("shim.path");
        Path shim;
        if (!configured.isEmpty()) {
            shim = Path.of(configured);
        } else {
            String home = System.getProperty("jbox.home");
            if (home == null) {
                throw new JboxException("cannot find jbox-shim: set shim.path in the config or start jbox with its launcher");
            }
            shim = Path.of(home, "jbox-shim");
        }
        check(shim);
        return shim;
    }

    static void check(Path shim) throws JboxException {
        try {
            PosixFileAttributes a = Files.readAttributes(shim, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                throw new JboxException("shim " + shim + " is not a regular file");
            }
            if (!a.owner().getName().equals("root")) {
                throw new JboxException("shim " + shim + " must be owned by root, not " + a.owner().getName());
            }
            if (a.permissions().contains(PosixFilePermission.GROUP_WRITE) || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new JboxException("shim " + shim + " must not be writable by group or others");
            }
        } catch (IOException e) {
            throw new JboxException("cannot find shim " + shim + ": " + IoReason.of(e), e);
        }
    }
}
