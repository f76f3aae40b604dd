// Writes and finishes the regular files of an unpack on a thread of its own, in the order given.
package jbox.image;

import jbox.io.IoReason;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Unpacking a file is one call that names it (open with O_CREAT|O_EXCL, made by the unpacking
 * thread, which so alone decides what exists under which name) and five that act on its descriptor
 * (write, fchown, fchmod, fsetxattr, futimens, close). The descriptor calls are most of the kernel's
 * work (the data copy above all), and they run here, on one thread, while the unpacking thread parses
 * the next entries: `tar -x` does all of it on one thread and jbox was 2-3× slower on a tmpfs.
 *
 * <p>Jobs run in the order they were submitted, so a file's data chunks are written in order and
 * its attributes come after them (a write drops setuid and file capabilities). Working on
 * descriptors only, a job cannot race the unpacking thread's changes to names: a file replaced or
 * whited out meanwhile is an unlinked inode that is finished and dropped. Data travels in pooled
 * buffers ({@link #POOL} of {@link Chunks#SIZE} bytes, from {@link Chunks}), small files packed several
 * to a buffer: that bounds memory and makes the unpacking thread wait when the disk is the slower
 * side. Jobs go over in batches of {@link #BATCH}. Both matter on a VM's two cores: with a job, or
 * a buffer, per file the threads woke each other ~1,100 times per 3,500-entry import, against
 * ~280 now (import 1.56x -> 1.39x tar -x). The first failure is reported, with the entry's name, by
 * the next submission or by {@link #finish}; later jobs then only close their descriptors.
 */
final class FileFinisher implements AutoCloseable {
    private static final int POOL = 8;
    private static final int BATCH = 256;
    /** Files up to this size share buffers (most of an image's files are a few KiB); larger ones get their own. */
    private static final int SMALL = Chunks.SIZE / 4;

    /** What a file gets after its data: owner, mode, the xattrs the policy allowed, times. */
    record Attributes(long uid, long gid, int mode, Map<String, byte[]> xattrs, FileTime mtime) {
    }

    /** Room for one write: a slice of a buffer shared by small files, or a buffer of its own. */
    record Slice(byte[] data, int offset, boolean own) {
    }

    private enum Kind { WRITE, WRITE_AND_RETURN, RETURN, FINISH, CLOSE }

    /** One step: write {@code length} bytes of {@code data} to fd; give data back; finish fd; close it. */
    private record Job(Kind kind, int fd, Path target, String entry, byte[] data, int offset, int length,
            Attributes attributes) {
    }

    private static final List<Job> STOP = List.of();

    private final BlockingQueue<List<Job>> batches = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> buffers = new ArrayBlockingQueue<>(POOL);
    private final Thread thread;
    /** How many buffers this unpack took from {@link Chunks}: at most {@link #POOL}. */
    private int allocated;
    private List<Job> batch = new ArrayList<>(BATCH);
    /** The buffer small files are being packed into, and how much of it is taken. */
    private byte[] shared;
    private int sharedUsed;
    private volatile ImageException failure;
    /** Jobs handed over and not yet done: {@link #finish} waits for none. */
    private int pending;
    private final Object done = new Object();

    FileFinisher(String sourceName) {
        thread = new Thread(this::work, "jbox-unpack " + sourceName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Room for up to {@code length} ({@code <=} {@link Chunks#SIZE}) bytes to fill for {@link #write} (or
     * give back); waits while every buffer is in flight. A small write is packed into a buffer it
     * shares with the files before it, which goes back to the pool once the last of them is written.
     */
    Slice slice(int length) throws ImageException {
        if (length > SMALL) {
            return new Slice(buffer(), 0, true);
        }
        if (shared == null || sharedUsed + length > Chunks.SIZE) {
            retireShared();
            shared = buffer();
            sharedUsed = 0;
        }
        Slice s = new Slice(shared, sharedUsed, false);
        sharedUsed += length;
        return s;
    }

    /** The shared buffer goes back to the pool after the writes already queued from it. */
    private void retireShared() {
        if (shared != null) {
            batch.add(new Job(Kind.RETURN, -1, null, null, shared, 0, 0, null));
            shared = null;
        }
    }

    private byte[] buffer() throws ImageException {
        byte[] b = buffers.poll();
        if (b == null && allocated < POOL) {
            allocated++;
            b = Chunks.array();
        }
        if (b == null) {
            handOver(); // the jobs holding the buffers may still be here
            try {
                b = buffers.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ImageException("interrupted while unpacking", e);
            }
        }
        return b;
    }

    /** A slice from {@link #slice} that was not written after all. */
    void giveBack(Slice s) {
        if (s.own()) {
            buffers.add(s.data());
        }
    }

    /** Writes the first {@code length} bytes of {@code s} to {@code fd}; a buffer of its own comes back to the pool. */
    void write(int fd, Path target, String entry, Slice s, int length) throws ImageException {
        submit(new Job(s.own() ? Kind.WRITE_AND_RETURN : Kind.WRITE, fd, target, entry, s.data(), s.offset(), length,
                null));
    }

    /** Sets {@code attributes} on {@code fd} and closes it: the last job for a descriptor. */
    void finishFile(int fd, Path target, String entry, Attributes attributes) throws ImageException {
        submit(new Job(Kind.FINISH, fd, target, entry, null, 0, 0, attributes));
    }

    /**
     * Closes {@code fd} once its jobs ran, without attributes: the unpacking thread gave up on the
     * file. (Closing it there could close a descriptor number the kernel gave out again meanwhile.)
     */
    void abandon(int fd, Path target, String entry) {
        batch.add(new Job(Kind.CLOSE, fd, target, entry, null, 0, 0, null));
    }

    private void submit(Job job) throws ImageException {
        reportFailure();
        batch.add(job);
        if (batch.size() >= BATCH) {
            handOver();
        }
    }

    private void handOver() {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (done) {
            pending += batch.size();
        }
        batches.add(batch);
        batch = new ArrayList<>(BATCH);
    }

    /** Waits until every job submitted so far ran; throws the first failure. */
    void finish() throws ImageException {
        retireShared();
        handOver();
        synchronized (done) {
            while (pending > 0) {
                try {
                    done.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ImageException("interrupted while unpacking", e);
                }
            }
        }
        reportFailure();
    }

    private void reportFailure() throws ImageException {
        ImageException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Stops the thread once it ran (or, after a failure, closed the descriptors of) every job. */
    @Override
    public void close() {
        retireShared();
        handOver();
        batches.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (byte[] b; (b = buffers.poll()) != null; ) {
            Chunks.give(b);
        }
    }

    private void work() {
        while (true) {
            List<Job> next;
            try {
                next = batches.take();
            } catch (InterruptedException e) {
                continue; // only close() ends this thread: every descriptor handed over gets closed
            }
            if (next == STOP) {
                return;
            }
            for (Job job : next) {
                run(job);
            }
            synchronized (done) {
                pending -= next.size();
                done.notifyAll();
            }
        }
    }

    private void run(Job job) {
        try {
            switch (job.kind()) {
                case RETURN -> buffers.add(job.data());
                case CLOSE -> NativeFiles.closeQuietly(job.fd());
                case WRITE, WRITE_AND_RETURN -> {
                    if (failure == null) {
                        NativeFiles.write(job.fd(), ByteBuffer.wrap(job.data(), job.offset(), job.length()).slice(),
                                job.target());
                    }
                }
                case FINISH -> {
                    if (failure != null) {
                        NativeFiles.closeQuietly(job.fd());
                    } else {
                        finish(job);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            failure = new ImageException("cannot extract tar entry " + Quoted.of(job.entry()) + " to " + job.target()
                    + ": " + IoReason.of(e), e);
        } finally {
            if (job.kind() == Kind.WRITE_AND_RETURN) {
                buffers.add(job.data());
            }
        }
    }

    private static void finish(Job job) throws IOException {
        finishAndClose(job.fd(), job.target(), job.attributes());
    }

    /**
     * The one order for a file's (or FIFO's) last calls, after its data: owner, then mode (chown
     * clears setuid/setgid), then xattrs (chown drops security.capability), then times (as tar
     * does); then the close. The descriptor is closed whatever fails.
     */
    static void finishAndClose(int fd, Path target, Attributes a) throws IOException {
        boolean closed = false;
        try {
            NativeFiles.fchown(fd, a.uid(), a.gid(), target);
            NativeFiles.fchmod(fd, a.mode(), target);
            XattrPolicy.set(fd, target, a.xattrs());
            NativeFiles.futimens(fd, a.mtime(), target);
            closed = true;
            NativeFiles.close(fd, target);
        } finally {
            if (!closed) {
                NativeFiles.closeQuietly(fd);
            }
        }
    }
}
