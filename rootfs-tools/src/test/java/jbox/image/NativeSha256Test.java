package jbox.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NativeSha256Test {

    @Test
    void libcryptoIsFoundOnThisHostAndDigestIsTheOneUsed() {
        // Debian's libssl3 ships libcrypto.so.3: if it stops loading, imports get 20x slower silently.
        assertNotNull(NativeSha256.create(), "libcrypto.so.3 did not load");
        assertEquals(NativeSha256.class, Digest.sha256().getClass());
    }

    @Test
    void knownAnswers() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex(new byte[0]));
        assertEquals("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".getBytes()));
    }

    @Test
    void anyMixOfUpdatesGivesTheJdksDigest() {
        Random r = new Random(42);
        byte[] data = new byte[3 << 20];
        r.nextBytes(data);
        for (int round = 0; round < 40; round++) {
            MessageDigest ours = NativeSha256.create();
            MessageDigest jdk = Digest.jdkSha256();
            int end = r.nextInt(data.length);
            for (int at = 0; at < end; ) {
                int kind = r.nextInt(4);
                int n = kind == 0 ? 1 : kind == 1 ? r.nextInt(600) : kind == 2 ? r.nextInt(70_000) : r.nextInt(300_000);
                n = Math.min(n, end - at);
                if (n == 1 && r.nextBoolean()) {
                    ours.update(data[at]);
                    jdk.update(data[at]);
                } else {
                    ours.update(data, at, n);
                    jdk.update(data, at, n);
                }
                at += n;
            }
            assertArrayEquals(jdk.digest(), ours.digest(), "round " + round + ", " + end + " bytes");
        }
    }

    @Test
    void aDigestResetsForTheNextUse() {
        MessageDigest d = NativeSha256.create();
        d.update(new byte[] {1, 2, 3});
        d.digest();
        d.update("abc".getBytes());
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HexFormat.of().formatHex(d.digest()));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(NativeSha256.create().digest(b));
    }
}
