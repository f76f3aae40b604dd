package jbox.cgroup;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jbox.Errno;
import jbox.JboxException;
import jbox.Operation;
import jbox.io.IoReason;

/**
 * Reads and writes cgroup interface files and directories, turning failures into jbox's one-line
 * errors. Plain java.nio calls only: this runs on `jbox run`'s start path.
 */
final class CgroupFiles {
    private CgroupFiles() {
    }

    /**
     * Writes a value in one write(2): the kernel parses each write of a cgroup file on its own, so
     * a value split over two writes would be two values.
     */
    static void write(Path file, String value) throws JboxException {
        write(file, value, Operation.CGROUP_WRITE);
    }

    /** {@link #write(Path, String)}, naming the operation the write is (its errors' hints depend on it). */
    static void write(Path file, String value, Operation op) throws JboxException {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            // O_CREAT on a file cgroupfs does not have fails with EACCES, which would mislead.
            boolean exists = Files.exists(file);
            throw JboxException.builder("cannot write " + value + " to " + file).operation(op).path(file)
                    .errno(exists ? IoReason.errno(e) : Errno.ENOENT)
                    .reason(exists ? reason(e) : "no such file (this kernel does not provide it)").cause(e).build();
        }
    }

    /** The file's content without the trailing newline. */
    static String read(Path file) throws JboxException {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** The file's content, or "" when the file does not exist (a controller that is not there). */
    static String readOrEmpty(Path file) throws JboxException {
        try {
            return Files.readString(file).strip();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + reason(e), e);
        }
    }

    /** A single-number file such as memory.max_usage_in_bytes; 0 when the file does not exist. */
    static long number(Path file) throws JboxException {
        String text = readOrEmpty(file);
        return text.isEmpty() ? 0 : parse(file, text);
    }

    /**
     * The value of `key` in a flat-keyed file ("key value" per line: memory.events, cpu.stat,
     * cpuacct.stat, pids.events, memory.oom_control); 0 when the file or the key is absent.
     */
    static long keyed(Path file, String key) throws JboxException {
        for (String line : readOrEmpty(file).split("\n")) {
            int space = line.indexOf(' ');
            if (space == key.length() && line.startsWith(key)) {
                return parse(file, line.substring(space + 1).strip());
            }
        }
        return 0;
    }

    private static long parse(Path file, String text) throws JboxException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new JboxException("cannot read " + file + ": expected a number, found \"" + text + "\"", e);
        }
    }

    /**
     * mkdir unless the directory is there; true when this call created it. A stat first, as the
     * parent is there on all but the first run, and an exception costs more than a stat.
     */
    static boolean createDirectory(Path dir) throws JboxException {
        if (Files.isDirectory(dir)) {
            return false;
        }
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new JboxException("cannot create " + dir + ": " + reason(e), e);
        }
    }

    /**
     * mkdir of a container's own directory, whose parent exists; false when the parent went away
     * meanwhile (another jbox removed it as its last container went). A directory that is already
     * there is an error (it belongs to another container), unless {@code joinExisting}: an OCI
     * cgroupsPath naming an existing cgroup is joined, as runc does.
     */
    static boolean createInExistingParent(Path dir, boolean joinExisting) throws JboxException {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (FileAlreadyExistsException e) {
            if (joinExisting && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
            throw new JboxException("cannot create " + dir + ": " + reason(e), e);
        } catch (IOException e) {
            throw new JboxException("cannot create " + dir + ": " + reason(e), e);
        }
    }

    /** The directories from just below {@code top} down to {@code dir}, top first; none when dir is top. */
    static List<Path> levels(Path top, Path dir) {
        List<Path> out = new ArrayList<>();
        for (Path p = dir; p != null && !p.equals(top) && p.startsWith(top); p = p.getParent()) {
            out.add(0, p);
        }
        return out;
    }

    /** Child cgroups of a directory (its subdirectories); none when it does not exist. */
    static List<Path> children(Path dir) throws JboxException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    children.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return children;
        } catch (IOException e) {
            throw new JboxException("cannot list " + dir + ": " + reason(e), e);
        }
        return children;
    }

    /**
     * rmdir of a cgroup and of the cgroups below it, deepest first (cgroupfs removes a directory
     * together with its interface files, but never one that has child cgroups). Gone is fine. A
     * refusal is tried again until {@code deadlineNanos} (System.nanoTime): a killed process that
     * left cgroup.procs keeps a v1 cgroup busy (EBUSY) until whoever reaps it has, and under load
     * that reaper (the host's init, for an orphaned OCI init) can take a while; runc retries too.
     */
    static void removeTree(Path dir, long deadlineNanos) throws JboxException {
        for (Path child : children(dir)) {
            removeTree(child, deadlineNanos);
        }
        long pauseMillis = 1;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() - deadlineNanos >= 0) {
                    throw new JboxException("cannot remove " + dir + ": " + reason(e), e);
                }
            }
            ProcessEviction.pause(pauseMillis); // a condition the kernel does not announce in v1: polled
            pauseMillis = Math.min(pauseMillis * 2, 50);
        }
    }

    /** rmdir when nothing uses the directory any more; false when it is busy, not empty or gone. */
    static boolean removeIfUnused(Path dir) {
        try {
            Files.delete(dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** "device or resource busy": the errno text, lowercase, without the path Java puts in front. */
    static String reason(IOException e) {
        return IoReason.of(e);
    }
}
