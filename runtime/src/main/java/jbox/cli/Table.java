// docker's `--format 'table ...'` output: a title row, then cells aligned as Go's tabwriter does.
package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jbox.JboxException;

/**
 * Renders rows through a Go template (GoTemplate). With the "table " prefix the first line is the
 * titles (each field's, by {@code title}) and tab-separated cells are padded into columns (at
 * least 10 wide with 3 spaces between, docker's tabwriter settings); without it each row is the
 * template's text as is.
 */
final class Table {
    private Table() {
    }

    static String render(String format, List<? extends JsonNode> rows, Function<String, String> title) throws JboxException {
        boolean table = format.startsWith("table");
        String body = table ? format.substring(5).stripLeading() : format;
        if (table && body.isEmpty()) {
            throw new JboxException("invalid --format " + format + ": table needs fields, e.g. 'table {{.ID}}\\t{{.Names}}'");
        }
        GoTemplate t = GoTemplate.parse(body);
        List<String> lines = new ArrayList<>();
        if (table) {
            lines.add(t.header(title));
        }
        for (JsonNode row : rows) {
            lines.add(t.render(row));
        }
        StringBuilder out = new StringBuilder();
        if (!table) {
            lines.forEach(l -> out.append(l).append('\n'));
            return out.toString();
        }
        List<Integer> widths = new ArrayList<>();
        for (String l : lines) {
            String[] cells = l.split("\t", -1);
            for (int i = 0; i < cells.length - 1; i++) { // the last cell is not padded
                if (widths.size() <= i) {
                    widths.add(0);
                }
                widths.set(i, Math.max(widths.get(i), Math.max(10, cells[i].codePointCount(0, cells[i].length()) + 3)));
            }
        }
        for (String l : lines) {
            String[] cells = l.split("\t", -1);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                line.append(cells[i]);
                if (i < cells.length - 1) {
                    line.append(" ".repeat(widths.get(i) - cells[i].codePointCount(0, cells[i].length())));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
