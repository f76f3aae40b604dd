// The part of Go's text/template that `docker ps --format` and `inspect --format` users type.
package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import jbox.JboxException;

/**
 * A small subset of Go templates over a JSON object: text with actions {{.Field}},
 * {{.A.B.C}} (dotted paths), {{json .}} / {{json .A}} (the value as compact JSON), {{index .A
 * "key"}} (a map entry), {{upper .A}}, {{lower .A}}; "\t" and "\n" written as two characters become a
 * tab and a newline, as docker's formatter does. Anything else is an error naming the action;
 * so is an unknown field (Go's "can't evaluate field"), so a typo is never a silent blank.
 */
final class GoTemplate {
    private static final ObjectMapper JSON = new ObjectMapper();

    private sealed interface Part permits Text, Action {
    }

    private record Text(String text) implements Part {
    }

    private record Action(String function, List<String> path, String key, String source) implements Part {
    }

    private final List<Part> parts;

    private GoTemplate(List<Part> parts) {
        this.parts = parts;
    }

    static GoTemplate parse(String template) throws JboxException {
        String t = template.replace("\\t", "\t").replace("\\n", "\n");
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < t.length()) {
            int open = t.indexOf("{{", at);
            if (open < 0) {
                parts.add(new Text(t.substring(at)));
                break;
            }
            if (open > at) {
                parts.add(new Text(t.substring(at, open)));
            }
            int close = t.indexOf("}}", open);
            if (close < 0) {
                throw new JboxException("invalid --format " + template + ": {{ without }}");
            }
            parts.add(action(t.substring(open + 2, close).trim(), template));
            at = close + 2;
        }
        return new GoTemplate(parts);
    }

    private static Action action(String a, String template) throws JboxException {
        String[] words = a.split("\\s+");
        String function = null;
        String path;
        String key = null;
        if (words.length == 1) {
            path = words[0];
        } else if (words.length == 2 && List.of("json", "upper", "lower").contains(words[0])) {
            function = words[0];
            path = words[1];
        } else if (words.length == 3 && words[0].equals("index") && words[2].matches("\"[^\"]*\"")) {
            function = "index";
            path = words[1];
            key = words[2].substring(1, words[2].length() - 1);
        } else {
            throw new JboxException("invalid --format " + template + ": {{" + a + "}} is not supported "
                    + "(use {{.Field}}, {{.A.B}}, {{json .}}, {{json .Field}}, {{index .Map \"key\"}}, {{upper .F}}, {{lower .F}})");
        }
        if (!path.startsWith(".")) {
            throw new JboxException("invalid --format " + template + ": {{" + a + "}}: a field starts with a dot ({{.ID}})");
        }
        List<String> fields = new ArrayList<>();
        for (String f : path.substring(1).split("\\.")) {
            if (!f.isEmpty()) {
                fields.add(f);
            }
        }
        return new Action(function, fields, key, a);
    }

    /** The template applied to one object. */
    String render(JsonNode dot) throws JboxException {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                out.append(t.text());
                continue;
            }
            Action a = (Action) p;
            JsonNode v = dot;
            for (String f : a.path()) {
                JsonNode next = v == null ? null : v.get(f);
                if (next == null) {
                    throw new JboxException("cannot format {{" + a.source() + "}}: no field " + f
                            + (v != null && v.isObject() ? " (fields: " + String.join(", ", names(v)) + ")" : ""));
                }
                v = next;
            }
            if ("json".equals(a.function())) {
                try {
                    out.append(JSON.writeValueAsString(v));
                } catch (IOException e) {
                    throw new JboxException("cannot format {{" + a.source() + "}} as JSON: " + e.getMessage(), e);
                }
            } else if ("index".equals(a.function())) {
                JsonNode e = v.get(a.key());
                out.append(e == null ? "<no value>" : plain(e));
            } else if ("upper".equals(a.function())) {
                out.append(plain(v).toUpperCase(Locale.ROOT));
            } else if ("lower".equals(a.function())) {
                out.append(plain(v).toLowerCase(Locale.ROOT));
            } else {
                out.append(plain(v));
            }
        }
        return out.toString();
    }

    /** The paths of the fields the template uses, first level only: for a table's header. */
    List<String> fields() {
        List<String> out = new ArrayList<>();
        for (Part p : parts) {
            if (p instanceof Action a) {
                out.add(a.path().isEmpty() ? "" : a.path().get(a.path().size() - 1));
            }
        }
        return out;
    }

    /** The template with each action replaced by {@code header.apply(its field)}: a table's title row. */
    String header(Function<String, String> header) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                out.append(t.text());
            } else {
                Action a = (Action) p;
                out.append(header.apply(a.path().isEmpty() ? "" : a.path().get(a.path().size() - 1)));
            }
        }
        return out.toString();
    }

    /** As Go prints a value with {{.}}: text bare, numbers and booleans as written, maps as map[k:v], lists as [a b]. */
    static String plain(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "<no value>";
        }
        if (v.isValueNode()) {
            return v.asText();
        }
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(e -> items.add(plain(e)));
            return "[" + String.join(" ", items) + "]";
        }
        Map<String, String> sorted = new TreeMap<>();
        v.fields().forEachRemaining(e -> sorted.put(e.getKey(), plain(e.getValue())));
        List<String> items = new ArrayList<>();
        sorted.forEach((k, val) -> items.add(k + ":" + val));
        return "map[" + String.join(" ", items) + "]";
    }

    private static List<String> names(JsonNode v) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = v.fieldNames(); it.hasNext();) {
            out.add(it.next());
        }
        return out;
    }
}
