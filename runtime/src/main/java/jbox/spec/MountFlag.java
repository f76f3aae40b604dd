package jbox.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jbox.JboxException;
import jbox.cgroup.CgroupResources;

/**
 * One --mount argument as docker reads it: comma-separated KEY=VALUE fields (a field may be quoted
 * as in CSV, for a comma in a path), type bind, volume (docker's default) or tmpfs. It is not a
 * second way to mount: each becomes the -v or --tmpfs argument that means the same
 * ({@link #asVolume}, {@link #asTmpfs}), so VolumeFlag, Volumes and SpecBuilder decide the rest as
 * for those (a bind is idmapped in the user namespace, a named volume is made on first use).
 * Where --mount is stricter than -v, so is this: a bind source that does not exist is refused
 * (docker's --mount does not create it), and so is a key that does not belong to the type.
 */
public record MountFlag(Type type, String source, String target, boolean readOnly, long tmpfsSize, int tmpfsMode) {
    public enum Type { BIND, VOLUME, TMPFS }

    /** No tmpfs-mode given: the kernel's default (1777). */
    public static final int NO_MODE = -1;

    /** docker's keys jbox knows and does not do (a run that ignored them would not be what was asked). */
    private static final Set<String> UNSUPPORTED = Set.of("bind-nonrecursive", "bind-recursive", "bind-create-src",
            "volume-driver", "volume-label", "volume-nocopy", "volume-opt", "volume-subpath", "tmpfs-options",
            "image-subpath");
    private static final Set<String> CONSISTENCY = Set.of("default", "consistent", "cached", "delegated");

    /**
     * Parses {@code v}; a relative bind source is the caller's, relative to {@code cwd}, and must
     * exist (symlinks are followed later, once, as for -v).
     */
    public static MountFlag parse(String v, Path cwd) throws JboxException {
        String bad = "invalid --mount " + v + ": ";
        Type type = Type.VOLUME;
        String source = null;
        String target = null;
        boolean ro = false;
        String propagation = null;
        String size = null;
        String mode = null;
        for (String field : fields(v, bad)) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : field.substring(eq + 1);
            if (value == null && !key.equals("readonly") && !key.equals("ro") && !UNSUPPORTED.contains(key)) {
                throw new JboxException(bad + "\"" + field + "\" is not a KEY=VALUE pair");
            }
            switch (key) {
                case "type" -> type = switch (value.toLowerCase(Locale.ROOT)) {
                    case "bind" -> Type.BIND;
                    case "volume" -> Type.VOLUME;
                    case "tmpfs" -> Type.TMPFS;
                    case "npipe", "image", "cluster" -> throw new JboxException(bad + "type " + value
                            + " is not supported (bind, volume, tmpfs)");
                    default -> throw new JboxException(bad + "unknown type \"" + value + "\" (bind, volume, tmpfs)");
                };
                case "source", "src" -> source = value;
                case "target", "destination", "dst" -> target = value;
                case "readonly", "ro" -> ro = value == null || bool(value, bad + key);
                case "consistency" -> {
                    // macOS file sharing only; docker ignores it on Linux too.
                    if (!CONSISTENCY.contains(value)) {
                        throw new JboxException(bad + "unknown consistency \"" + value + "\" (" + String.join(", ",
                                List.of("default", "consistent", "cached", "delegated")) + ")");
                    }
                }
                case "bind-propagation" -> propagation = value;
                case "tmpfs-size" -> size = value;
                case "tmpfs-mode" -> mode = value;
                default -> throw new JboxException(bad + (UNSUPPORTED.contains(key) ? key + " is not supported by jbox"
                        : "unknown key \"" + key + "\""));
            }
        }
        if (target == null || target.isEmpty()) {
            throw new JboxException(bad + "a target is needed (target=/PATH in the container)");
        }
        if (!target.startsWith("/")) {
            throw new JboxException(bad + "the target " + target + " is not an absolute path");
        }
        if (Path.of(target).normalize().toString().equals("/")) {
            throw new JboxException(bad + "the target cannot be /");
        }
        if (type != Type.BIND && propagation != null) {
            throw new JboxException(bad + "bind-propagation is for type=bind");
        }
        if (type != Type.TMPFS && (size != null || mode != null)) {
            throw new JboxException(bad + (size != null ? "tmpfs-size" : "tmpfs-mode") + " is for type=tmpfs");
        }
        if (propagation != null && !propagation.equals("rprivate") && !propagation.equals("private")) {
            throw new JboxException(bad + (Set.of("shared", "rshared", "slave", "rslave").contains(propagation)
                    ? "bind-propagation=" + propagation + " is not supported: the container's mounts are private"
                            + " (rprivate, docker's default)"
                    : "unknown bind-propagation \"" + propagation + "\" (rprivate, private)"));
        }
        String s = source;
        switch (type) {
            case BIND -> {
                if (s == null || s.isEmpty()) {
                    throw new JboxException(bad + "type=bind needs a source (source=HOST-PATH)");
                }
                Path p = cwd.resolve(s).normalize();
                if (!Files.exists(p)) {
                    throw new JboxException(bad + "bind source path does not exist: " + p);
                }
                s = p.toString();
            }
            case VOLUME -> {
                if (s == null || s.isEmpty()) {
                    throw new JboxException(bad + "type=volume needs a source (a volume NAME): jbox has no anonymous volumes");
                }
                if (!s.matches(VolumeFlag.NAME_PATTERN)) {
                    throw new JboxException(bad + "volume name " + s + " is not letters, digits, _ . - (for a host path:"
                            + " type=bind)");
                }
            }
            case TMPFS -> {
                if (s != null) {
                    throw new JboxException(bad + "type=tmpfs takes no source");
                }
            }
        }
        // The -v and --tmpfs forms separate by ':' (docker's -v cannot name such a path either).
        if (target.indexOf(':') >= 0 || (s != null && s.indexOf(':') >= 0)) {
            throw new JboxException(bad + "a path with ':' cannot be mounted by jbox");
        }
        long bytes = 0;
        if (size != null) {
            try {
                bytes = CgroupResources.parseBytes(size);
            } catch (JboxException e) {
                throw new JboxException(bad + "tmpfs-size " + size + " is not a size in bytes (e.g. 67108864 or 64m)");
            }
        }
        int m = NO_MODE;
        if (mode != null) {
            try {
                m = Integer.parseInt(mode, 8);
            } catch (NumberFormatException e) {
                m = -2;
            }
            if (m < 0 || m > 07777) {
                throw new JboxException(bad + "tmpfs-mode " + mode + " is not an octal mode (e.g. 1770)");
            }
        }
        return new MountFlag(type, s, target, ro, bytes, m);
    }

    /** Go's strconv.ParseBool, which docker uses for readonly=. */
    private static boolean bool(String value, String what) throws JboxException {
        return switch (value) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw new JboxException(what + "=" + value + " is not true or false");
        };
    }

    /** CSV fields as Go's encoding/csv reads one line: a field starting with '"' is quoted, "" is a quote. */
    static List<String> fields(String v, String bad) throws JboxException {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (true) {
            StringBuilder f = new StringBuilder();
            if (i < v.length() && v.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= v.length()) {
                        throw new JboxException(bad + "a quote is not closed");
                    }
                    char c = v.charAt(i++);
                    if (c == '"') {
                        if (i < v.length() && v.charAt(i) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        f.append(c);
                    }
                }
                if (i < v.length() && v.charAt(i) != ',') {
                    throw new JboxException(bad + "text after a closing quote");
                }
            } else {
                int comma = v.indexOf(',', i);
                int end = comma < 0 ? v.length() : comma;
                f.append(v, i, end);
                i = end;
            }
            if (f.length() == 0) {
                throw new JboxException(bad + "an empty field");
            }
            out.add(f.toString());
            if (i >= v.length()) {
                return out;
            }
            i++; // the comma
        }
    }

    /** The -v argument for a bind or a volume: SOURCE:TARGET:ro|rw (a bind keeps -v's default idmap). */
    public String asVolume() {
        if (type == Type.TMPFS) {
            throw new IllegalStateException("a tmpfs is no volume");
        }
        return source + ":" + target + ":" + (readOnly ? "ro" : "rw");
    }

    /** The --tmpfs argument: TARGET:nosuid,nodev,noexec[,ro][,size=B][,mode=O], docker's options for a tmpfs mount. */
    public String asTmpfs() {
        if (type != Type.TMPFS) {
            throw new IllegalStateException("not a tmpfs");
        }
        StringBuilder b = new StringBuilder(target).append(":nosuid,nodev,noexec");
        if (readOnly) {
            b.append(",ro");
        }
        if (tmpfsSize > 0) {
            b.append(",size=").append(tmpfsSize);
        }
        if (tmpfsMode != NO_MODE) {
            b.append(",mode=").append(Integer.toOctalString(tmpfsMode));
        }
        return b.toString();
    }
}
