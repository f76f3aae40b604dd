// The security.capability rewrite: every revision in, revision 3 with the container root's host uid out.
package jbox.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FileCapabilityTest {

    private static byte[] le(int... words) {
        byte[] b = new byte[words.length * 4];
        for (int i = 0; i < words.length; i++) {
            for (int j = 0; j < 4; j++) {
                b[i * 4 + j] = (byte) (words[i] >>> (8 * j));
            }
        }
        return b;
    }

    @Test
    void revisionOneGetsEmptyHighWordsAndTheRootid() throws Exception {
        assertArrayEquals(le(0x03000001, 0x2000, 0x400, 0, 0, 100000),
                FileCapability.forContainerRoot(le(0x01000001, 0x2000, 0x400), 100000));
    }

    @Test
    void revisionTwoKeepsAllWordsAndTheEffectiveFlag() throws Exception {
        assertArrayEquals(le(0x03000000, 1, 2, 3, 4, 231072),
                FileCapability.forContainerRoot(le(0x02000000, 1, 2, 3, 4), 231072));
    }

    /** A rootid from wherever the image was made means nothing here. */
    @Test
    void revisionThreeGetsThisContainersRootid() throws Exception {
        assertArrayEquals(le(0x03000001, 1, 0, 0, 0, 100000),
                FileCapability.forContainerRoot(le(0x03000001, 1, 0, 0, 0, 5000), 100000));
    }

    @Test
    void badSizesRevisionsAndFlagsAreRefused() {
        assertThrows(ImageException.class, () -> FileCapability.forContainerRoot(new byte[0], 1));
        assertThrows(ImageException.class, () -> FileCapability.forContainerRoot(le(0x02000001, 1, 0), 1));
        assertThrows(ImageException.class, () -> FileCapability.forContainerRoot(le(0x04000001, 1, 0, 0, 0), 1));
        assertThrows(ImageException.class, () -> FileCapability.forContainerRoot(le(0x02000003, 1, 0, 0, 0), 1));
    }
}
