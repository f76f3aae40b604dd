// The image code's name for jbox's one error type: a single lowercase line naming what is wrong and where.
package jbox.image;

import jbox.JboxException;

/**
 * Thrown for every image-level failure (bad name, missing image, refused tar entry, I/O trouble).
 * A JboxException like every other error (exit status 125), so callers outside the image code
 * pass it on as it is; the message, kept to one line by JboxException, names the offending thing
 * (image name, tar entry, path) and why it is wrong.
 */
public class ImageException extends JboxException {

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
