package jbox.spec;

import java.util.List;
import jbox.JboxException;

/**
 * One -v argument as docker and podman read it: SOURCE:DEST[:OPTIONS]. A source starting with "/"
 * is a host path (a relative one, "./x" or "../x", was made absolute from the caller's directory
 * before it came here); any other is a named volume. Options, comma-separated: ro, rw; z and Z
 * (SELinux relabelling: accepted and ignored, as podman does without SELinux); U (chown the source
 * to the container's user on the host, podman's); idmap (the default in a user namespace: the
 * source's ids are seen through the container's user namespace, so its root owns what host root
 * owns) and noidmap (jbox's: a plain bind, the source's ids as they are).
 */
public record VolumeFlag(String source, String destination, boolean readOnly, Ownership ownership) {
    /** How the container sees the source's owners. */
    public enum Ownership { DEFAULT, IDMAP, NOIDMAP, CHOWN }

    /** What a volume name may be (docker's rule). */
    public static final String NAME_PATTERN = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

    public boolean named() {
        return !source.startsWith("/");
    }

    public static VolumeFlag parse(String v) throws JboxException {
        String[] parts = v.split(":", -1);
        String usage = "invalid volume " + v + ": expected HOST-PATH:/CONTAINER/PATH[:OPTIONS] or NAME:/CONTAINER/PATH[:OPTIONS]";
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || !parts[1].startsWith("/")) {
            throw new JboxException(usage);
        }
        if (!parts[0].startsWith("/") && !parts[0].matches(NAME_PATTERN)) {
            throw new JboxException(usage + " (a relative host path starts with ./ or ../; a volume name is letters,"
                    + " digits, _ . -)");
        }
        boolean ro = false;
        Ownership own = Ownership.DEFAULT;
        for (String o : parts.length == 3 ? List.of(parts[2].split(",", -1)) : List.<String>of()) {
            switch (o) {
                case "ro" -> ro = true;
                case "rw" -> ro = false;
                case "z", "Z" -> {
                    // SELinux labels: nothing to relabel without SELinux, as podman on such a host.
                }
                case "U" -> own = choose(v, own, Ownership.CHOWN);
                case "idmap" -> own = choose(v, own, Ownership.IDMAP);
                case "noidmap" -> own = choose(v, own, Ownership.NOIDMAP);
                default -> throw new JboxException("invalid volume " + v + ": unknown option \"" + o
                        + "\" (ro, rw, z, Z, U, idmap, noidmap)");
            }
        }
        return new VolumeFlag(parts[0], parts[1], ro, own);
    }

    private static Ownership choose(String v, Ownership was, Ownership now) throws JboxException {
        if (was != Ownership.DEFAULT && was != now) {
            throw new JboxException("invalid volume " + v + ": U, idmap and noidmap exclude each other");
        }
        return now;
    }

    /** The -v form of this flag with another source (a named volume's directory, an absolute path). */
    public String withSource(String newSource, Ownership newOwnership) {
        String opts = (readOnly ? "ro" : "rw") + switch (newOwnership) {
            case DEFAULT -> "";
            case IDMAP -> ",idmap";
            case NOIDMAP -> ",noidmap";
            case CHOWN -> ",U";
        };
        return newSource + ":" + destination + ":" + opts;
    }
}
