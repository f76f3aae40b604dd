// Parses and validates a user-supplied image name ("busybox", "alpine:3.19") and maps it to a store directory.
package jbox.image;

import java.util.regex.Pattern;

/**
 * A validated image name. The grammar keeps names safe to use as a single directory name: no '/',
 * no leading '.', so a name can never point outside the store or collide with its temp dirs.
 */
record ImageName(String repository, String tag) {

    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final String DEFAULT_TAG = "latest";

    static ImageName parse(String name) throws ImageException {
        if (name == null) {
            throw new ImageException("image name is missing");
        }
        int colon = name.indexOf(':');
        String repository = colon < 0 ? name : name.substring(0, colon);
        String tag = colon < 0 ? DEFAULT_TAG : name.substring(colon + 1);
        if (!REPOSITORY.matcher(repository).matches() || !TAG.matcher(tag).matches()) {
            throw new ImageException("invalid image name " + Quoted.of(name)
                    + ": use [a-z0-9][a-z0-9._-]* (up to 128 chars), optionally followed by :tag");
        }
        return new ImageName(repository, tag);
    }

    /** "busybox:latest" and "busybox" are one image; the short spelling is the canonical one. */
    String canonical() {
        return tag.equals(DEFAULT_TAG) ? repository : repository + ":" + tag;
    }

    String directoryName() {
        return canonical().replace(':', '_');
    }
}
