// The OCI name of this machine's architecture, for choosing among a multi-platform image's manifests.
package jbox.image;

final class HostPlatform {

    private HostPlatform() {
    }

    /** Go's GOARCH names, which OCI platforms use; the JVM's os.arch names differ for the common two. */
    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }
}
