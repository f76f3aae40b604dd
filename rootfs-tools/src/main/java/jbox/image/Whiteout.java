// What an image layer's ".wh." entry means: a deleted path or an opaque directory (OCI image-spec, layer.md).
package jbox.image;

/**
 * @param hidden relative path of what is removed from lower layers (for an opaque marker: its
 *               directory); null when the name after ".wh." is not a usable file name
 * @param opaque true for ".wh..wh..opq": the directory's lower contents are removed, not the directory
 */
record Whiteout(String hidden, boolean opaque) {

    static final String PREFIX = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    /** aufs keeps hard-link bookkeeping under ".wh..wh." names; they carry no content. */
    private static final String AUFS_META = ".wh..wh.";

    /** Null for aufs metadata, which is skipped. {@code path}'s last component starts with ".wh.". */
    static Whiteout of(EntryPath path) {
        String last = path.last();
        String parent = path.parent();
        if (last.equals(OPAQUE)) {
            return new Whiteout(parent, true);
        }
        if (last.startsWith(AUFS_META)) {
            return null;
        }
        String name = last.substring(PREFIX.length());
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return new Whiteout(null, false);
        }
        return new Whiteout(parent.isEmpty() ? name : parent + "/" + name, false);
    }
}
