// The one checked error of the image code: a single lowercase line naming what is wrong and where.
package jbox.image;

/**
 * Thrown for every image-level failure (bad name, missing image, refused tar entry, I/O trouble).
 * The message is meant to be printed to the user as-is, so it is kept to one line and names the
 * offending thing (image name, tar entry, path) and why it is wrong.
 */
public class ImageException extends Exception {

    public ImageException(String message) {
        super(oneLine(message));
    }

    public ImageException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Messages may embed names from untrusted archives; a newline there must not break the one-line contract. */
    private static String oneLine(String message) {
        return message.replace('\n', ' ').replace('\r', ' ');
    }
}
