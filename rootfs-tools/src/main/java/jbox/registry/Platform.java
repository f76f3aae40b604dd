// An image platform (os/architecture[/variant]) and the choice of one manifest from a multi-platform index.
package jbox.registry;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jbox.image.ImageException;

/**
 * Index entries name their platform with Go's GOOS/GOARCH words (the image spec's). A variant is
 * matched when asked for; without one the host's default is preferred (arm64: v8, arm: v7) and any
 * variant is otherwise accepted, as containerd's default matcher does.
 */
record Platform(String os, String architecture, String variant) {

    /** "linux/amd64", "linux/arm64/v8", or "amd64" (linux assumed). */
    static Platform parse(String text) throws ImageException {
        String[] parts = text.split("/", -1);
        if (parts.length == 1 && !parts[0].isEmpty()) {
            return new Platform("linux", normalArch(parts[0]), null);
        }
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || parts.length == 3 && parts[2].isEmpty()) {
            throw new ImageException("invalid --platform " + text + ": use OS/ARCH[/VARIANT], e.g. linux/arm64");
        }
        return new Platform(parts[0].toLowerCase(Locale.ROOT), normalArch(parts[1].toLowerCase(Locale.ROOT)),
                parts.length == 3 ? parts[2].toLowerCase(Locale.ROOT) : null);
    }

    /** This machine's platform, in OCI words (os.arch "x86_64"/"amd64" is amd64, "aarch64" arm64). */
    static Platform host() {
        return new Platform("linux", normalArch(System.getProperty("os.arch")), null);
    }

    private static String normalArch(String arch) {
        return switch (arch) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }

    /** One entry of an image index: a manifest and the platform it is for (null parts: not given). */
    record Entry(String mediaType, String digest, long size, String os, String architecture, String variant) {
    }

    /**
     * The entry for this platform: exact os and architecture; a variant if asked for, else the
     * architecture's default variant before any other. Attestation manifests (os "unknown") never match.
     */
    Optional<Entry> choose(List<Entry> entries) {
        List<Entry> matching = entries.stream()
                .filter(e -> os.equals(e.os()) && architecture.equals(normalArch(String.valueOf(e.architecture()))))
                .toList();
        if (variant != null) {
            return matching.stream().filter(e -> variant.equals(e.variant())).findFirst();
        }
        String preferred = switch (architecture) {
            case "arm64" -> "v8";
            case "arm" -> "v7";
            default -> null;
        };
        return matching.stream().filter(e -> e.variant() == null || e.variant().equals(preferred)).findFirst()
                .or(() -> matching.stream().findFirst());
    }
}
