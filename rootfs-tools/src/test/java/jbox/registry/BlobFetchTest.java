package jbox.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import jbox.image.Digest;
import jbox.io.FileModes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Digest and size checks and Range resumption of one blob, against an HTTP server on loopback. */
class BlobFetchTest {
    @TempDir
    Path tmp;

    private final byte[] blob = new byte[300_000];
    private Digest digest;
    private volatile byte[] served;
    /** Bytes of the body to send before closing the connection; -1: all of it. */
    private volatile int cutAfter = -1;
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private RegistryClient client;

    @BeforeEach
    void start() throws Exception {
        new Random(17).nextBytes(blob);
        digest = Digest.of(blob);
        served = blob;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/", this::handle);
        server.start();
        String host = "127.0.0.1:" + server.getAddress().getPort();
        client = new RegistryClient(host, "r", "pull",
                new RegistrySettings(List.of(), tmp.resolve("auth.json"), tmp, 1), null);
        client.connect();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            if (x.getRequestURI().getPath().equals("/v2/")) {
                x.sendResponseHeaders(200, -1);
                return;
            }
            String range = x.getRequestHeaders().getFirst("Range");
            ranges.add(String.valueOf(range));
            byte[] body = served;
            int from = 0;
            if (range != null) {
                from = Integer.parseInt(range.replaceAll("bytes=([0-9]+)-", "$1"));
                x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            }
            x.sendResponseHeaders(range != null ? 206 : 200, body.length - from);
            OutputStream out = x.getResponseBody();
            int end = cutAfter < 0 ? body.length : Math.min(body.length, from + cutAfter);
            out.write(body, from, end - from);
            out.flush();
            if (end < body.length) {
                throw new IOException("cut on purpose"); // the server closes the connection mid-body
            }
        }
    }

    private BlobFetch fetch() {
        return new BlobFetch(client, tmp, digest, blob.length, "layer 1");
    }

    private static TransferDisplay.Line line() {
        return TransferDisplay.silent().line("x", 0);
    }

    @Test
    void verifiedBlobIsRenamedIntoPlaceRootOnly() throws Exception {
        Path done = fetch().fetch(line());

        assertArrayEquals(blob, Files.readAllBytes(done));
        assertEquals(digest.hex(), done.getFileName().toString());
        assertEquals(0600, FileModes.mode(done));
        assertFalse(Files.exists(tmp.resolve(digest.hex() + ".partial")));
    }

    @Test
    void tamperedBlobIsRefusedAndNothingOfItStays() {
        byte[] tampered = blob.clone();
        tampered[12345] ^= 1;
        served = tampered;

        BlobFetch.Mismatch e = assertThrows(BlobFetch.Mismatch.class, () -> fetch().fetch(line()));

        assertTrue(e.getMessage().contains("does not match its digest: expected " + digest), e.getMessage());
        assertEquals(0, tmp.toFile().list((d, n) -> n.startsWith(digest.hex())).length);
    }

    @Test
    void blobLongerThanItsDescriptorIsRefusedWhileItStreams() {
        served = Arrays.copyOf(blob, blob.length + 1);

        BlobFetch.Mismatch e = assertThrows(BlobFetch.Mismatch.class, () -> fetch().fetch(line()));

        assertTrue(e.getMessage().contains("longer than the " + blob.length + " bytes"), e.getMessage());
        assertEquals(0, tmp.toFile().list((d, n) -> n.startsWith(digest.hex())).length);
    }

    @Test
    void partialBlobIsResumedWithARangeRequest() throws Exception {
        Files.write(tmp.resolve(digest.hex() + ".partial"), Arrays.copyOf(blob, 100_000));

        Path done = fetch().fetch(line());

        assertEquals(List.of("bytes=100000-"), ranges);
        assertArrayEquals(blob, Files.readAllBytes(done));
    }

    @Test
    void brokenConnectionIsRetriedFromWhereItBroke() throws Exception {
        cutAfter = 120_000;

        Path done = fetch().fetch(line());

        // Each retry asks for the rest from where the last one broke: at most 120000 bytes further on
        // (how much of a cut connection's last bytes arrive before the reset is the network's business).
        assertEquals("null", ranges.get(0));
        assertResumedForward(120_000);
        assertArrayEquals(blob, Files.readAllBytes(done));
    }

    /** Every Range after the first request starts past the one before it, by at most {@code cut} bytes. */
    private void assertResumedForward(int cut) {
        assertTrue(ranges.size() >= 2, ranges.toString());
        long last = 0;
        for (String r : ranges.subList(1, ranges.size())) {
            assertTrue(r.matches("bytes=[0-9]+-"), r);
            long from = Long.parseLong(r.substring(6, r.length() - 1));
            assertTrue(from > last && from <= last + cut, ranges.toString());
            last = from;
        }
    }

    @Test
    void connectionBrokenMoreOftenThanRetriedKeepsThePartialBlob() throws Exception {
        cutAfter = 50_000;

        BlobFetch.Interrupted e = assertThrows(BlobFetch.Interrupted.class, () -> fetch().fetch(line()));

        long kept = Files.size(tmp.resolve(digest.hex() + ".partial"));
        assertTrue(kept > 0 && kept <= 150_000, "partial blob of " + kept + " bytes");
        assertTrue(e.getMessage().contains("after " + kept + " of 300000 bytes"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(run the pull again to resume)"), e.getMessage());
        assertResumedForward(50_000);
        cutAfter = -1;
        assertArrayEquals(blob, Files.readAllBytes(fetch().fetch(line())));
        assertEquals("bytes=" + kept + "-", ranges.get(ranges.size() - 1));
    }
}
