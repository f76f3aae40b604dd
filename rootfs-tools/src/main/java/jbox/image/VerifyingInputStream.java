// Passes a blob through while hashing and counting it, so its digest is checked without a second read.
package jbox.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

final class VerifyingInputStream extends FilterInputStream {

    private final MessageDigest sha256 = Digest.sha256();
    private long count;

    VerifyingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            sha256.update((byte) b);
            count++;
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            sha256.update(buffer, offset, n);
            count += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must be hashed too: read them instead.
        byte[] sink = new byte[(int) Math.min(n, 1 << 16)];
        int read = read(sink, 0, sink.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Call after reading to the end. {@code expectedSize} -1 means the size is not known. */
    /** The digest of everything read so far; call once, at the end. */
    Digest digest() {
        return Digest.of(sha256);
    }

    void check(String what, String path, Digest expected, long expectedSize) throws ImageException {
        check(what, path, expected, expectedSize, Digest.of(sha256), count);
    }

    static void check(String what, String path, Digest expected, long expectedSize, Digest actual, long actualSize)
            throws ImageException {
        if (!actual.equals(expected)) {
            throw new ImageException(what + " " + path + " does not match its digest: expected " + expected
                    + ", got " + actual);
        }
        if (expectedSize >= 0 && expectedSize != actualSize) {
            throw new ImageException(what + " " + path + " has " + actualSize + " bytes, its descriptor says "
                    + expectedSize);
        }
    }
}
