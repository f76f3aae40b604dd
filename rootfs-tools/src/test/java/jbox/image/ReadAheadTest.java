package jbox.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

    @Test
    void passesEveryByteThroughInOrder() throws Exception {
        byte[] data = new byte[Chunks.SIZE * 3 + 12345];
        new Random(7).nextBytes(data);
        try (InputStream in = ReadAhead.of(new ByteArrayInputStream(data), "test")) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }

    /** A tar.gz closes its read-ahead twice (through two wrappers): its arrays must reach the pool once. */
    @Test
    void closingTwiceGivesEachArrayBackOnce() throws Exception {
        byte[] data = new byte[Chunks.SIZE * 4];
        InputStream in = ReadAhead.of(new ByteArrayInputStream(data), "test");
        in.readNBytes(Chunks.SIZE + 1);
        in.close();
        in.close();
        List<byte[]> taken = new ArrayList<>();
        Map<byte[], Boolean> seen = new IdentityHashMap<>();
        for (int i = 0; i < 40; i++) {
            byte[] a = Chunks.array();
            assertNotSame(Boolean.TRUE, seen.put(a, Boolean.TRUE), "one array handed out twice");
            taken.add(a);
        }
        taken.forEach(Chunks::give);
    }
}
