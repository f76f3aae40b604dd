// Where an image name lives in a registry: the registry's host, the repository path there, and the tag or digest.
package jbox.registry;

import jbox.image.ImageException;
import jbox.image.ImageName;

/**
 * docker's defaults: a name without a registry is Docker Hub's ("docker.io"), whose API is served
 * by registry-1.docker.io, and a one-component path there is an official image under "library/".
 *
 * @param registry  the registry as users name it (credentials are stored under it): "docker.io", "127.0.0.1:5000"
 * @param apiHost   host[:port] the distribution API is served on
 * @param path      the repository path in the registry: "library/busybox", "team/app"
 * @param reference the tag or "sha256:…" digest to fetch (a digest wins over a tag)
 */
record RemoteImage(String registry, String apiHost, String path, String reference) {

    static final String DOCKER_HUB = "docker.io";
    static final String DOCKER_HUB_API = "registry-1.docker.io";

    static RemoteImage of(ImageName name) {
        String registry = name.domain() == null ? DOCKER_HUB : name.domain();
        if (registry.equals("index.docker.io") || registry.equals(DOCKER_HUB_API)) {
            registry = DOCKER_HUB;
        }
        boolean hub = registry.equals(DOCKER_HUB);
        String path = hub && !name.path().contains("/") ? "library/" + name.path() : name.path();
        String reference = name.digest() != null ? name.digest() : name.tag();
        return new RemoteImage(registry, hub ? DOCKER_HUB_API : registry, path, reference);
    }

    static RemoteImage parse(String name) throws ImageException {
        return of(ImageName.parse(name));
    }

    /** The API host of a registry as users name it ("docker.io" → registry-1.docker.io). */
    static String apiHost(String registry) {
        return registry.equals(DOCKER_HUB) || registry.equals("index.docker.io") ? DOCKER_HUB_API : registry;
    }

    boolean byDigest() {
        return reference.startsWith("sha256:");
    }

    @Override
    public String toString() {
        return registry + "/" + path + (byDigest() ? "@" : ":") + reference;
    }
}
