package jbox.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * The "tmpcopyup" mount option: a tmpfs that starts with the files the image has at its
 * destination (podman puts it on /tmp, /run, /var/tmp).
 *
 * The plan is flat and the shim has no copy step, so the copy is planned here, from the host's
 * view of the image: nothing to do for a missing or empty directory (the common case); otherwise
 * each directory, symlink and small text file becomes a MKDIR, SYMLINK or MKFILE + WRITE step in
 * the fresh tmpfs, under umask 0 so modes are exact. What steps cannot reproduce is refused rather
 * than copied wrongly: files owned by anyone but the container's root (steps create as root),
 * device nodes, fifos, sockets, files with NUL bytes (WRITE takes a string), and trees over
 * MAX_ENTRIES entries or MAX_BYTES bytes.
 */
final class TmpCopyUp {
    static final int MAX_ENTRIES = 256;
    static final long MAX_BYTES = 256 * 1024;

    private TmpCopyUp() {
    }

    /**
     * @param imageDir the destination's directory in the image, on the host
     * @param rootUid the host uid (and gid) that is root in the container
     */
    static void add(Plan plan, Path imageDir, String target, String dest, long rootUid, long rootGid) throws JboxException {
        if (!Files.isDirectory(imageDir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(imageDir)) {
            entries = new ArrayList<>(walk.skip(1).sorted().limit(MAX_ENTRIES + 1L).toList());
        } catch (IOException | UncheckedIOException e) {
            throw new JboxException("tmpcopyup on " + dest + ": cannot list " + imageDir + ": " + e.getMessage(), e);
        }
        if (entries.isEmpty()) {
            return;
        }
        if (entries.size() > MAX_ENTRIES) {
            throw refused(dest, imageDir, "has more than " + MAX_ENTRIES + " entries");
        }
        plan.add(Protocol.OP_UMASK, "set umask 0 to copy " + dest + " from the image", 0L);
        long bytes = 0;
        for (Path p : entries) {
            String rel = imageDir.relativize(p).toString();
            String to = target + "/" + rel;
            String shown = dest + "/" + rel;
            try {
                long uid = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
                long gid = ((Number) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)).longValue();
                if (uid != rootUid || gid != rootGid) {
                    throw refused(dest, p, "is owned by " + uid + ":" + gid + ", not the container's root");
                }
                long mode = mode(p);
                if (Files.isSymbolicLink(p)) {
                    plan.symlink(Files.readSymbolicLink(p).toString(), to, "copy symlink " + shown + " from the image");
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    plan.mkdir(to, mode, "copy directory " + shown + " from the image");
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    byte[] content = Files.readAllBytes(p);
                    bytes += content.length;
                    if (bytes > MAX_BYTES) {
                        throw refused(dest, imageDir, "holds more than " + MAX_BYTES + " bytes");
                    }
                    for (byte b : content) {
                        if (b == 0) {
                            throw refused(dest, p, "is a binary file");
                        }
                    }
                    plan.mkfile(to, mode, "copy file " + shown + " from the image");
                    if (content.length > 0) {
                        // As raw bytes with the NUL the shim's string arguments end with: no charset round trip.
                        plan.add(Protocol.OP_WRITE, "write " + shown + " from the image", to,
                                Arrays.copyOf(content, content.length + 1));
                    }
                } else {
                    throw refused(dest, p, "is a special file");
                }
            } catch (IOException e) {
                throw new JboxException("tmpcopyup on " + dest + ": cannot read " + p + ": " + IoReason.of(e), e);
            }
        }
        plan.add(Protocol.OP_UMASK, "restore umask 022 after copying " + dest, 022L);
    }

    private static long mode(Path p) throws IOException {
        Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return ((Number) mode).longValue() & 07777;
    }

    private static JboxException refused(String dest, Path what, String why) {
        return new JboxException("tmpcopyup on " + dest + ": " + what + " " + why
                + " (jbox copies only small trees of root-owned directories, links and text files)");
    }

}
