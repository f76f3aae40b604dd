// How container uids/gids map onto host ids: container id N is host id base+N, for N < size.
package jbox.image;

/**
 * The id mapping a rootfs was chowned with (and that the runtime's user namespace must use).
 * Container root (0) becomes host {@code uidBase}; ids at or above {@code size} have no host id.
 */
public record IdShift(long uidBase, long gidBase, long size) {

    /** Ids are 32-bit on Linux; the identity mapping covers all of them. */
    private static final long ID_SPACE = 1L << 32;

    /** Identity mapping: files keep the ids written in the archive. */
    public static final IdShift NONE = new IdShift(0, 0, ID_SPACE);

    public IdShift {
        if (uidBase < 0 || gidBase < 0 || size <= 0) {
            throw new IllegalArgumentException("id shift needs non-negative bases and a positive size");
        }
        if (uidBase + size > ID_SPACE || gidBase + size > ID_SPACE) {
            throw new IllegalArgumentException("id shift " + uidBase + "/" + gidBase + "+" + size
                    + " runs past the 32-bit id space");
        }
    }

    public long hostUid(long containerUid) throws ImageException {
        return uidBase + checked("uid", containerUid);
    }

    public long hostGid(long containerGid) throws ImageException {
        return gidBase + checked("gid", containerGid);
    }

    private long checked(String kind, long id) throws ImageException {
        if (id < 0 || id >= size) {
            throw new ImageException(kind + " " + id + " is outside the mapped range 0-" + (size - 1));
        }
        return id;
    }
}
