// What an import left out on purpose, reported as one warning line per kind once the import is done.
package jbox.image;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Counts what was skipped (over every layer of the import) and keeps the first example of each kind. */
final class ImportWarnings {
    static final String DEVICE_NODES = "device nodes (jbox mounts its own /dev)";
    static final String XATTRS = "extended attributes other than user.* and security.capability on files and"
            + " directories";

    private record Skipped(long count, String first) {
    }

    private final Map<String, Skipped> skipped = new LinkedHashMap<>();

    /** {@code example} is already quoted (see {@link Quoted}): it names untrusted entries. */
    void skipped(String kind, String example) {
        skipped.merge(kind, new Skipped(1, example), (old, one) -> new Skipped(old.count() + 1, old.first()));
    }

    /** One line per kind, e.g. {@code skipped 3 device nodes (jbox mounts its own /dev), the first: "dev/full"}. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        skipped.forEach((kind, s) -> lines.add("skipped " + s.count() + " " + kind + (s.count() == 1 ? ": " : ", the first: ")
                + s.first()));
        return lines;
    }

    /** Hands each line to {@code progress} (the CLI prints it on stderr as "jbox: warning: ..."). */
    void report(ProgressListener progress) {
        for (String line : lines()) {
            progress.warning(line);
        }
    }
}
