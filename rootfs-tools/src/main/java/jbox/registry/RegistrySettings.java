// What the registry code takes from jbox's config: insecure registries, the credentials file, downloads, parallelism.
package jbox.registry;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * @param insecure     registries (host[:port]) that may be spoken to over plain HTTP (registry.insecure)
 * @param authFile     docker's config.json format, root-only (registry.auth_file)
 * @param downloads    where blobs of an unfinished pull wait to be resumed (data.root/downloads)
 * @param parallel     layers downloaded at once (registry.max_downloads)
 */
public record RegistrySettings(List<String> insecure, Path authFile, Path downloads, int parallel) {

    public RegistrySettings {
        insecure = insecure.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).toList();
        if (parallel < 1) {
            throw new IllegalArgumentException("registry.max_downloads must be at least 1: " + parallel);
        }
    }

    /**
     * HTTP is allowed for a registry listed in registry.insecure (with or without its port) and, as
     * docker does without configuration, for one whose host is an address in 127.0.0.0/8 or
     * "localhost". The name is never resolved: a DNS answer must not turn TLS off.
     */
    boolean allowsHttp(String hostPort) {
        String lower = hostPort.toLowerCase(Locale.ROOT);
        String host = lower.contains(":") ? lower.substring(0, lower.lastIndexOf(':')) : lower;
        if (insecure.contains(lower) || insecure.contains(host)) {
            return true;
        }
        return host.equals("localhost") || isLoopbackLiteral(host);
    }

    private static boolean isLoopbackLiteral(String host) {
        if (!host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            return false;
        }
        try {
            // a literal: getByName parses it, nothing is looked up
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
