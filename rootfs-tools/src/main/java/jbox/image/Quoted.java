// Renders an untrusted name (tar entry, link target) for an error message, quoted and escaped.
package jbox.image;

/** Tar names can hold control characters; escaping them keeps messages single-line and unambiguous. */
final class Quoted {

    private Quoted() {
    }

    static String of(String raw) {
        StringBuilder out = new StringBuilder(raw.length() + 2).append('"');
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
