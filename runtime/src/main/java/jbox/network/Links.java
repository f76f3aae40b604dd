package jbox.network;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.io.IoReason;

/** The network interfaces of jbox's own network namespace, by name (from /proc/self/net/dev). */
final class Links {
    private Links() {
    }

    static Set<String> names() throws JboxException {
        Path dev = Path.of("/proc/self/net/dev");
        String text;
        try {
            text = ProcFile.read(dev);
        } catch (IOException e) {
            throw new JboxException("cannot read " + dev + ": " + IoReason.of(e), e);
        }
        return parse(text);
    }

    /** Two header lines, then "  name: counters..." per interface. */
    static Set<String> parse(String netDev) {
        Set<String> out = new LinkedHashSet<>();
        String[] lines = netDev.split("\n");
        for (int i = 2; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                out.add(lines[i].substring(0, colon).trim());
            }
        }
        return out;
    }
}
