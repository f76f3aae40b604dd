// Runs a decompressor on a thread of its own, handing its output over in large chunks.
package jbox.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * `tar -xzf` is two processes: gzip inflates while tar writes files. This is the same split: one
 * daemon thread reads (and so inflates) the wrapped stream into chunks, the importing thread reads
 * the chunks. At most {@link #CHUNKS} chunks wait, so memory stays bounded whatever the archive.
 * Failures of the reading side (a corrupt stream, a short file) reach the reader as the same
 * IOException, at the point in the stream where they happened. Closing stops the thread and
 * waits for it, so nothing reads the file after close returns.
 */
final class ReadAhead extends InputStream {
    private static final int CHUNK = Chunks.SIZE;
    private static final int CHUNKS = 8;

    /** One hand-over: data, or the end (length -1), or a failure. */
    private record Chunk(byte[] data, int length, IOException failure) {
    }

    private static final Chunk END = new Chunk(new byte[0], -1, null);

    private final InputStream source;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(CHUNKS);
    /** Arrays the reader is done with, used again (and given back to {@link Chunks} at close). */
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(CHUNKS + 2);
    private final Thread reader;
    private volatile boolean closed;
    private static final Chunk EMPTY = new Chunk(new byte[0], 0, null);

    private Chunk current = EMPTY;
    private int offset;

    private ReadAhead(InputStream source, String name) {
        this.source = source;
        this.reader = new Thread(this::fill, "jbox-read-ahead " + name);
        reader.setDaemon(true);
    }

    static InputStream of(InputStream source, String name) {
        ReadAhead ahead = new ReadAhead(source, name);
        ahead.reader.start();
        return ahead;
    }

    private void fill() {
        try {
            while (!closed) {
                byte[] used = free.poll();
                byte[] data = used != null ? used : Chunks.array();
                int n = source.readNBytes(data, 0, CHUNK);
                if (n > 0) {
                    queue.put(new Chunk(data, n, null));
                }
                if (n < CHUNK) {
                    queue.put(END);
                    return;
                }
            }
        } catch (IOException e) {
            put(new Chunk(null, -1, e));
        } catch (RuntimeException e) { // Commons Compress throws a few unchecked ones on corrupt input
            put(new Chunk(null, -1, new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e)));
        } catch (InterruptedException e) {
            // closed: the reader is gone
        }
    }

    private void put(Chunk chunk) {
        try {
            queue.put(chunk);
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** The next chunk with data, or the end; rethrows the reading side's failure. */
    private boolean ensure() throws IOException {
        while (current.length() >= 0 && offset >= current.length()) {
            if (current.length() > 0) {
                free.offer(current.data());
                current = EMPTY; // given away: a close during the take below must not give it back twice
            }
            try {
                current = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading ahead");
            }
            offset = 0;
        }
        if (current.failure() != null) {
            throw new IOException(current.failure().getMessage(), current.failure());
        }
        return current.length() >= 0;
    }

    @Override
    public int read() throws IOException {
        if (!ensure()) {
            return -1;
        }
        return current.data()[offset++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!ensure()) {
            return -1;
        }
        int n = Math.min(len, current.length() - offset);
        System.arraycopy(current.data(), offset, b, off, n);
        offset += n;
        return n;
    }

    @Override
    public int available() {
        return current.length() < 0 ? 0 : current.length() - offset;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return; // the arrays went back to Chunks once; twice would hand one to two users
        }
        closed = true;
        reader.interrupt();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            source.close();
            return; // the reader may still hold a chunk: none goes back
        }
        if (current.data() != null) {
            Chunks.give(current.data());
        }
        for (Chunk c; (c = queue.poll()) != null; ) {
            if (c.data() != null) {
                Chunks.give(c.data());
            }
        }
        for (byte[] a; (a = free.poll()) != null; ) {
            Chunks.give(a);
        }
        source.close();
    }
}
