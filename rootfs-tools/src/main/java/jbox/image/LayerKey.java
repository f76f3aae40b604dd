// Which unpacked layer directory an image needs: its diff id, unpacked under one id shift.
package jbox.image;

import java.nio.charset.StandardCharsets;

/**
 * The same layer unpacked for another user-namespace range has other owners on disk, so the
 * shift is part of the key. The directory name keeps the whole diff id (the store is content
 * addressed and readable as such); the link id is short, for overlayfs's one-page mount data.
 */
public record LayerKey(Digest diffId, long uidBase, long gidBase) {

    /** 16 hex digits: 64 bits, no collision among the layers of one store in practice (checked when linked). */
    private static final int LINK_LENGTH = 16;

    public static LayerKey of(Digest diffId, IdShift shift) {
        return new LayerKey(diffId, shift.uidBase(), shift.gidBase());
    }

    public static LayerKey of(String diffId, ImageMeta image) throws ImageException {
        return new LayerKey(Digest.parse(diffId, "layer of image " + image.name()), image.uidBase(), image.gidBase());
    }

    /** The layer's directory under the store's .layers/: HEX-UIDBASE-GIDBASE. */
    public String dirName() {
        return diffId.hex() + "-" + uidBase + "-" + gidBase;
    }

    /** The name of its symlink under .l/, which overlayfs's lowerdir names. */
    public String linkId() {
        return Digest.of(dirName().getBytes(StandardCharsets.US_ASCII)).hex().substring(0, LINK_LENGTH);
    }

    /** Parses a directory name written by {@link #dirName()}; null for anything else. */
    static LayerKey parse(String dirName) {
        String[] parts = dirName.split("-");
        if (parts.length != 3) {
            return null;
        }
        try {
            return new LayerKey(new Digest(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
