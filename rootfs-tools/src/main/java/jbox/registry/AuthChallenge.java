// One challenge of a WWW-Authenticate header (RFC 7235): a scheme and its parameters, e.g. Bearer realm=…,service=….
package jbox.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Registries answer 401 with {@code Bearer realm="https://auth…/token",service="…",scope="…"}
 * (token auth, the distribution spec's) or {@code Basic realm="…"} (htpasswd). The scheme is
 * compared case-insensitively; parameter names are lowercased, values kept as sent.
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Map.copyOf(params);
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    String param(String name) {
        return params.get(name);
    }

    /** All challenges of one header value, in order; a malformed rest is dropped, never guessed at. */
    static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            i = skip(header, i, " ,\t");
            int start = i;
            while (i < n && isToken(header.charAt(i))) {
                i++;
            }
            if (i == start) {
                break;
            }
            String scheme = header.substring(start, i);
            Map<String, String> params = new LinkedHashMap<>();
            while (true) {
                int save = i;
                i = skip(header, i, " \t");
                int nameStart = i;
                while (i < n && isToken(header.charAt(i))) {
                    i++;
                }
                int nameEnd = i;
                i = skip(header, i, " \t");
                if (nameEnd == nameStart || i >= n || header.charAt(i) != '=') {
                    i = save; // not a parameter: the next challenge's scheme (or the end)
                    break;
                }
                i = skip(header, i + 1, " \t");
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        char c = header.charAt(i++);
                        if (c == '\\' && i < n) {
                            c = header.charAt(i++);
                        }
                        value.append(c);
                    }
                    i++; // the closing quote
                } else {
                    while (i < n && header.charAt(i) != ',' && header.charAt(i) != ' ') {
                        value.append(header.charAt(i++));
                    }
                }
                params.put(header.substring(nameStart, nameEnd).toLowerCase(Locale.ROOT), value.toString());
                i = skip(header, i, " \t");
                if (i < n && header.charAt(i) == ',') {
                    i++;
                }
            }
            out.add(new AuthChallenge(scheme, params));
        }
        return out;
    }

    private static int skip(String s, int i, String chars) {
        while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static boolean isToken(char c) {
        return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0;
    }
}
