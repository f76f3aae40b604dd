package jbox.spec;

import java.util.Locale;
import jbox.JboxException;

/** Sizes as docker writes them: "512m", "1g", "65536k", "100" (bytes). */
public final class ByteSize {
    private ByteSize() {
    }

    public static long parse(String flag, String value) throws JboxException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (v.endsWith("b")) {
            v = v.substring(0, v.length() - 1);
        }
        if (!v.isEmpty()) {
            switch (v.charAt(v.length() - 1)) {
                case 'k': unit = 1L << 10; break;
                case 'm': unit = 1L << 20; break;
                case 'g': unit = 1L << 30; break;
                case 't': unit = 1L << 40; break;
                default: unit = 0;
            }
            if (unit != 0) {
                v = v.substring(0, v.length() - 1);
            } else {
                unit = 1;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new JboxException("invalid " + flag + " " + value + ": expected a size such as 512m, 1g or 65536k");
        }
    }
}
