// Counts bytes read from the raw input file and reports them to a ProgressListener.
package jbox.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Sits directly on the file, below any buffering, so it is called once per large read, not per byte. */
final class ProgressInputStream extends FilterInputStream {

    private final ProgressListener listener;
    private final long totalBytes;
    private long bytesRead;

    ProgressInputStream(InputStream in, ProgressListener listener, long totalBytes) {
        super(in);
        this.listener = listener;
        this.totalBytes = totalBytes;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        advance(skipped);
        return skipped;
    }

    /** Marking is unsupported so the count can never run backwards. */
    @Override
    public boolean markSupported() {
        return false;
    }

    private void advance(long n) {
        bytesRead += n;
        listener.update(bytesRead, totalBytes);
    }
}
