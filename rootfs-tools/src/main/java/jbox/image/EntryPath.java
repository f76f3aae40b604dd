// A tar entry name (or hard link target) checked and normalised to a path relative to the image root.
package jbox.image;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises "./bin/sh", "bin/" and "bin//sh" to "bin/sh" and rejects everything that could point
 * outside the root: absolute paths and any ".." component (even a harmless-looking "a/../b": the
 * extractor resolves nothing lexically, so ".." never needs to be supported). The empty path is the
 * image root itself.
 */
record EntryPath(String relative, List<String> components) {

    /** Returns the normalised path; the exception carries only the reason, callers add which entry it was. */
    static EntryPath parse(String raw) throws ImageException {
        if (raw.isEmpty()) {
            throw new ImageException("path is empty");
        }
        if (raw.startsWith("/")) {
            throw new ImageException("path is absolute");
        }
        if (raw.indexOf('\0') >= 0) {
            throw new ImageException("path contains a nul byte");
        }
        List<String> components = new ArrayList<>();
        int depth = 0;
        boolean hasDotDot = false;
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                hasDotDot = true;
                if (--depth < 0) {
                    throw new ImageException("path escapes the image root");
                }
                continue;
            }
            depth++;
            components.add(part);
        }
        if (hasDotDot) {
            throw new ImageException("path contains a '..' component");
        }
        return new EntryPath(String.join("/", components), List.copyOf(components));
    }

    boolean isRoot() {
        return components.isEmpty();
    }

    /** The last component ("" for the root). */
    String last() {
        return components.isEmpty() ? "" : components.get(components.size() - 1);
    }

    /** The parent's relative path ("" for top-level entries). */
    String parent() {
        int slash = relative.lastIndexOf('/');
        return slash < 0 ? "" : relative.substring(0, slash);
    }
}
