// Parses and validates an image name ("busybox", "alpine:3.19", "127.0.0.1:5000/team/app:1", "app@sha256:…").
package jbox.image;

import java.util.regex.Pattern;

/**
 * A validated image name in docker's reference form: {@code [DOMAIN/]PATH[:TAG][@DIGEST]}. The
 * first component is a registry domain when it has a '.' or a ':' or is "localhost" (docker's
 * rule); without one the name is local (busybox, built here) or, when pulled, Docker Hub's.
 *
 * <p>The grammar keeps names safe as one directory name of the store: a component starts with a
 * letter or digit (never '.'), and {@link #directoryName} turns '/' into '+', which no name can
 * hold, so a name can never point outside the store or at its temp dirs.
 *
 * @param domain the registry ("127.0.0.1:5000", "docker.io"), or null when the name has none
 * @param path   the repository path ("team/app", "busybox")
 * @param tag    the tag; null only when a digest is given without one
 * @param digest "sha256:HEX", or null
 */
public record ImageName(String domain, String path, String tag, String digest) {

    /** One path component: the pre-registry grammar of local names, so every stored name still parses. */
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final String DEFAULT_TAG = "latest";
    /** docker's limit on a whole name; it also keeps the directory name under NAME_MAX (255). */
    private static final int MAX_LENGTH = 255;

    public static ImageName parse(String name) throws ImageException {
        if (name == null) {
            throw new ImageException("image name is missing");
        }
        String rest = name;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw invalid(name, "a digest is sha256: and 64 lowercase hex digits");
            }
        }
        String domain = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!DOMAIN.matcher(first).matches()) {
                    throw invalid(name, "registry " + Quoted.of(first) + " is not a host name with an optional :port");
                }
                domain = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = digest == null ? DEFAULT_TAG : null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw invalid(name, "a tag is [A-Za-z0-9._-], up to 128 chars");
            }
        }
        for (String component : rest.split("/", -1)) {
            if (!COMPONENT.matcher(component).matches()) {
                throw invalid(name, "use [a-z0-9][a-z0-9._-]* (up to 128 chars) per /-separated component,"
                        + " optionally REGISTRY/ before and :tag or @sha256:digest after");
            }
        }
        ImageName parsed = new ImageName(domain, rest, tag, digest);
        if (parsed.canonical().length() > MAX_LENGTH) {
            throw invalid(name, "longer than " + MAX_LENGTH + " chars");
        }
        return parsed;
    }

    private static ImageException invalid(String name, String why) {
        return new ImageException("invalid image name " + Quoted.of(name) + ": " + why);
    }

    /**
     * The stored spelling: "busybox:latest" and "busybox" are one image and the short spelling is
     * the canonical one; the domain and path stay as given (docker's familiar form).
     */
    public String canonical() {
        StringBuilder b = new StringBuilder();
        if (domain != null) {
            b.append(domain).append('/');
        }
        b.append(path);
        if (tag != null && !(tag.equals(DEFAULT_TAG) && digest == null)) {
            b.append(':').append(tag);
        }
        if (digest != null) {
            b.append('@').append(digest);
        }
        return b.toString();
    }

    /** [DOMAIN/]PATH:TAG, the tag spelled out ("busybox:latest"); a digest-only name gets "latest". */
    public String withTag() {
        return (domain == null ? "" : domain + "/") + path + ":" + (tag == null ? DEFAULT_TAG : tag);
    }

    /** True for a name that says where it lives: a registry, a repository path or a digest. */
    public boolean isRemoteForm() {
        return domain != null || path.contains("/") || digest != null;
    }

    String directoryName() {
        return canonical().replace('/', '+').replace(':', '_');
    }

    @Override
    public String toString() {
        return canonical();
    }
}
