// The 256 KiB buffers an unpack reads and writes through, kept from one unpack to the next.
package jbox.image;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * An unpack holds a dozen such buffers for as long as it runs, so in the engine's small heap they
 * outlive young collections, are promoted, and each import cost a full collection (~15 ms) to free
 * them. Kept here instead: at most {@link #KEEP} (6 MiB), taken and given back by {@link ReadAhead}, {@link LayerExtractor} and {@link FileFinisher}. A
 * buffer not given back (an unpack that failed half-way) is simply garbage.
 */
final class Chunks {
    static final int SIZE = 1 << 18;
    private static final int KEEP = 24;

    private static final BlockingQueue<byte[]> ARRAYS = new ArrayBlockingQueue<>(KEEP);

    private Chunks() {
    }

    /** A heap buffer of {@link #SIZE} bytes (its content is what the last user left). */
    static byte[] array() {
        byte[] a = ARRAYS.poll();
        return a != null ? a : new byte[SIZE];
    }

    /** Takes {@code a} back if it is one of ours and the pool has room; the caller must not touch it again. */
    static void give(byte[] a) {
        if (a.length == SIZE) {
            ARRAYS.offer(a);
        }
    }
}
