// Downloads one blob into the pull's directory: resumed with HTTP Range from a partial file, verified by digest and size.
package jbox.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.image.Digest;
import jbox.image.ImageException;
import jbox.io.FileModes;
import jbox.io.IoReason;

/**
 * The blob grows in {@code HEX.partial} (0600) and becomes {@code HEX} only once its sha256 and
 * size equal the descriptor's. A broken connection is retried here a few times, each time from
 * where the partial file ends (Range: bytes=N-; a registry that answers 200 instead of 206 sends
 * it whole again); if it still breaks, the partial file stays for the next pull to resume. A blob
 * that does not match, or that is longer than its descriptor says, is deleted at once.
 */
final class BlobFetch {

    private static final int ATTEMPTS = 3;
    private static final int BUFFER = 1 << 16;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes ([0-9]+)-([0-9]+)/([0-9]+|\\*)");

    /** The blob arrived whole but is not what its descriptor says: nothing of it is kept. */
    static final class Mismatch extends ImageException {
        Mismatch(String message) {
            super(message);
        }
    }

    /** The transfer broke more often than it is retried; what arrived is kept to be resumed. */
    static final class Interrupted extends ImageException {
        Interrupted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final RegistryClient client;
    private final Path blobs;
    private final Digest digest;
    private final long size;
    private final String what;

    /** @param blobs the pull's blobs/sha256 directory; {@code what} names the blob in messages ("layer 2") */
    BlobFetch(RegistryClient client, Path blobs, Digest digest, long size, String what) {
        this.client = client;
        this.blobs = blobs;
        this.digest = digest;
        this.size = size;
        this.what = what;
    }

    Path complete() {
        return blobs.resolve(digest.hex());
    }

    private Path partial() {
        return blobs.resolve(digest.hex() + ".partial");
    }

    /** The verified blob's path; {@code line} shows the progress. */
    Path fetch(TransferDisplay.Line line) throws ImageException {
        Path done = complete();
        if (Files.isRegularFile(done, LinkOption.NOFOLLOW_LINKS)) {
            line.done("already downloaded");
            return done; // renamed there only after verification, in a root-only directory
        }
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                if (transfer(line)) {
                    Files.move(partial(), done, StandardCopyOption.ATOMIC_MOVE);
                    line.done("done");
                    return done;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        long have = sizeOf(partial());
        line.done("interrupted at " + have + " of " + size + " bytes");
        throw new Interrupted(what + " " + digest + " was interrupted after " + have + " of " + size + " bytes"
                + (last == null ? "" : ": " + IoReason.of(last)) + " (run the pull again to resume)", last);
    }

    /**
     * One request, resumed from the partial file. True when the blob is complete and verified;
     * false when the connection ended early (the caller retries).
     */
    private boolean transfer(TransferDisplay.Line line) throws IOException, ImageException {
        Path partial = partial();
        long have = sizeOf(partial);
        if (have > size) {
            Files.delete(partial);
            have = 0;
        }
        MessageDigest sha256 = Digest.sha256();
        if (have > 0) {
            hashPrefix(partial, have, sha256);
        }
        if (have == size) {
            return verify(sha256, have);
        }
        Map<String, String> headers = have > 0 ? Map.of("Range", "bytes=" + have + "-") : Map.of();
        HttpResponse<InputStream> r = client.send("GET", client.repoPath("blobs/" + digest), headers, null,
                what + " " + digest);
        try (InputStream in = r.body()) {
            if (r.statusCode() == 200 && have > 0) {
                have = 0; // no Range support: it comes whole
                sha256.reset();
            } else if (r.statusCode() == 206) {
                checkRange(r, have);
            } else if (r.statusCode() == 416) {
                Files.deleteIfExists(partial); // our partial file is not a prefix the registry knows
                return false;
            } else if (r.statusCode() != 200) {
                throw RegistryClient.error(r, "cannot fetch " + what + " " + digest);
            }
            line.progress(have > 0 ? "resuming" : "downloading", have);
            try (FileChannel out = open(partial, have)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (have + n > size) {
                        out.close();
                        Files.deleteIfExists(partial);
                        throw new Mismatch(what + " " + digest + " is longer than the " + size
                                + " bytes its descriptor says");
                    }
                    sha256.update(buffer, 0, n);
                    ByteBuffer b = ByteBuffer.wrap(buffer, 0, n);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    have += n;
                    line.progress("downloading", have);
                }
            }
        }
        if (have < size) {
            return false;
        }
        return verify(sha256, have);
    }

    private boolean verify(MessageDigest sha256, long have) throws ImageException {
        Digest actual = Digest.of(sha256);
        if (!actual.equals(digest) || have != size) {
            try {
                Files.deleteIfExists(partial());
            } catch (IOException e) {
                // reported with the mismatch below; the pull's directory is removed anyway
            }
            throw new Mismatch(what + " from " + client.registry() + " does not match its digest: expected "
                    + digest + ", got " + actual);
        }
        return true;
    }

    private void checkRange(HttpResponse<InputStream> r, long have) throws IOException {
        String range = r.headers().firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(range);
        if (!m.matches() || Long.parseLong(m.group(1)) != have) {
            throw new IOException("registry answered a range request from byte " + have + " with "
                    + (range.isEmpty() ? "no Content-Range" : "Content-Range " + range));
        }
    }

    private static FileChannel open(Path partial, long have) throws IOException {
        FileChannel ch = FileChannel.open(partial, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                FileModes.attribute(FileModes.PRIVATE_FILE));
        FileModes.set(partial, FileModes.PRIVATE_FILE);
        ch.truncate(have);
        ch.position(have);
        return ch;
    }

    private static void hashPrefix(Path file, long length, MessageDigest sha256) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[BUFFER];
            long left = length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("partial blob " + file + " shrank while it was read");
                }
                sha256.update(buffer, 0, n);
                left -= n;
            }
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
