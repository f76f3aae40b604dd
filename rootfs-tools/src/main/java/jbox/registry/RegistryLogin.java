// `jbox login` / `jbox logout`: check credentials against a registry, then store or forget them.
package jbox.registry;

import java.util.regex.Pattern;
import jbox.image.ImageException;

/**
 * Credentials are checked before they are stored, as docker does: /v2/ is fetched with them (basic
 * auth), or a token is asked for with them (bearer auth). They are stored in registry.auth_file
 * (see {@link AuthFile}) under the registry's name as users write it in image names.
 */
public final class RegistryLogin {

    private static final Pattern REGISTRY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?");

    private final RegistrySettings settings;

    public RegistryLogin(RegistrySettings settings) {
        this.settings = settings;
    }

    /** "https://reg.io/" and "reg.io" name one registry; no argument is Docker Hub. */
    public static String normalize(String registry) throws ImageException {
        if (registry == null || registry.isEmpty()) {
            return RemoteImage.DOCKER_HUB;
        }
        String r = registry.replaceFirst("^https?://", "").replaceFirst("/(v1|v2)?/?$", "");
        if (r.equals("index.docker.io") || r.equals(RemoteImage.DOCKER_HUB_API)) {
            r = RemoteImage.DOCKER_HUB;
        }
        if (!REGISTRY.matcher(r).matches()) {
            throw new ImageException("invalid registry " + registry + ": use HOST[:PORT]");
        }
        return r;
    }

    public void login(String registry, String user, String password) throws ImageException {
        if (user.isEmpty() || user.contains(":")) {
            throw new ImageException("invalid user name for " + registry + ": empty or with ':'");
        }
        AuthFile.Credentials credentials = new AuthFile.Credentials(user, password);
        new RegistryClient(registry, null, "pull", settings, credentials).connect();
        new AuthFile(settings.authFile()).store(registry, credentials);
    }

    /** False when nothing was stored for the registry. */
    public boolean logout(String registry) throws ImageException {
        return new AuthFile(settings.authFile()).remove(registry);
    }
}
