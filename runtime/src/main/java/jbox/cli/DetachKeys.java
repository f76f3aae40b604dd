// --detach-keys: docker's key list (`ctrl-p,ctrl-q`) decoded into the bytes the attach client watches for.
package jbox.cli;

import java.io.ByteArrayOutputStream;
import jbox.JboxException;

/**
 * docker's format (moby/term ToBytes): comma-separated keys, each a single ASCII character, `ctrl-@`,
 * `ctrl-a` … `ctrl-z`, `ctrl-[`, `ctrl-\`, `ctrl-]`, `ctrl-^`, `ctrl-_` (lower case, as docker) or
 * `DEL`. Decided here; the client (jbox-shim attach) only matches the bytes it is given.
 */
final class DetachKeys {
    /** docker's default. */
    static final String DEFAULT = "ctrl-p,ctrl-q";
    /** The most keys the client holds back (attach_client.c's MAX_KEYS). */
    static final int MAX = 16;
    private static final String CTRL = "@abcdefghijklmnopqrstuvwxyz[\\]^_";

    private DetachKeys() {
    }

    static byte[] parse(String keys) throws JboxException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String key : keys.split(",", -1)) {
            if (key.length() == 1 && key.charAt(0) < 128) {
                out.write(key.charAt(0));
            } else if (key.startsWith("ctrl-") && key.length() == 6 && CTRL.indexOf(key.charAt(5)) >= 0) {
                out.write(CTRL.indexOf(key.charAt(5)));
            } else if (key.equals("DEL")) {
                out.write(127);
            } else {
                throw new JboxException("invalid --detach-keys " + keys + ": unknown key '" + key
                        + "' (keys are single characters, ctrl-a..ctrl-z, ctrl-@, ctrl-[, ctrl-\\, ctrl-], ctrl-^, ctrl-_ or DEL, comma-separated)");
            }
        }
        if (out.size() > MAX) {
            throw new JboxException("invalid --detach-keys " + keys + ": at most " + MAX + " keys");
        }
        return out.toByteArray();
    }

    /** As the client's --detach-keys takes them: two hex digits a byte. */
    static String hex(byte[] keys) {
        StringBuilder b = new StringBuilder();
        for (byte k : keys) {
            b.append(String.format("%02x", k & 0xff));
        }
        return b.toString();
    }
}
