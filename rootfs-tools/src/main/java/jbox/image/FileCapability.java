// A file capability (security.capability) rewritten so it holds for the container's root in its user namespace.
package jbox.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The xattr is {@code struct vfs_cap_data} (little endian): magic_etc (revision | effective flag),
 * then permitted and inheritable words — one pair in revision 1 (12 bytes), two in revision 2 (20
 * bytes); revision 3 (24 bytes) adds {@code rootid}, the host uid of the root it is meant for. A
 * revision 2 cap is honoured for the host's root and in every user namespace below it, so written
 * raw into an image it would grant its caps to the host too; the kernel itself turns a revision 2
 * xattr written from inside a user namespace into revision 3 with that namespace's root. jbox writes
 * as the host's root, so it does that conversion itself: every cap becomes revision 3 with rootid =
 * the host uid of container root, valid inside the container (where getcap reads it back as an
 * ordinary revision 2 cap) and nowhere else. A rootid already in the image names the root of
 * wherever the image was made, so it is replaced too.
 */
final class FileCapability {
    static final String XATTR = "security.capability";

    private static final int REVISION_MASK = 0xff000000;
    private static final int FLAGS_EFFECTIVE = 0x000001;
    private static final int REVISION_1 = 0x01000000;
    private static final int REVISION_2 = 0x02000000;
    private static final int REVISION_3 = 0x03000000;
    private static final int SIZE_1 = 12;
    private static final int SIZE_2 = 20;
    private static final int SIZE_3 = 24;

    private FileCapability() {
    }

    /**
     * The value to write for a container whose root is host uid {@code hostRoot}; with no id shift
     * (host root is container root) revision 2, as the image has it.
     */
    static byte[] forContainerRoot(byte[] value, long hostRoot) throws ImageException {
        if (value.length < 4) {
            throw invalid(value);
        }
        ByteBuffer in = ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN);
        int magic = in.getInt();
        int revision = magic & REVISION_MASK;
        int expected = revision == REVISION_1 ? SIZE_1 : revision == REVISION_2 ? SIZE_2
                : revision == REVISION_3 ? SIZE_3 : -1;
        if (value.length != expected || (magic & ~REVISION_MASK & ~FLAGS_EFFECTIVE) != 0) {
            throw invalid(value);
        }
        int permittedLow = in.getInt();
        int inheritableLow = in.getInt();
        int permittedHigh = revision == REVISION_1 ? 0 : in.getInt();
        int inheritableHigh = revision == REVISION_1 ? 0 : in.getInt();
        int flags = magic & FLAGS_EFFECTIVE;
        boolean v2 = hostRoot == 0;
        ByteBuffer out = ByteBuffer.allocate(v2 ? SIZE_2 : SIZE_3).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt((v2 ? REVISION_2 : REVISION_3) | flags);
        out.putInt(permittedLow).putInt(inheritableLow).putInt(permittedHigh).putInt(inheritableHigh);
        if (!v2) {
            out.putInt((int) hostRoot);
        }
        return out.array();
    }

    private static ImageException invalid(byte[] value) {
        return new ImageException("invalid " + XATTR + " (" + value.length
                + " bytes; expected revision 1, 2 or 3 of struct vfs_cap_data)");
    }
}
