// Speaks the OCI distribution API to one repository of one registry: scheme, authentication, redirects, errors.
package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import jbox.image.ImageException;
import jbox.io.IoReason;

/**
 * The JDK's java.net.http client: HTTP/1.1 with keep-alive, TLS with the JDK's trust store, and
 * no dependency. One instance per repository and action set ("pull" or "pull,push"), since a
 * bearer token is granted for one such scope.
 *
 * <p>{@link #connect} pings /v2/: it decides the scheme (https; http only where
 * {@link RegistrySettings#allowsHttp} allows it) and answers the first 401 challenge. A later 401 (an expired token) is answered once more per request.
 * Redirects (blob storage elsewhere) are followed here, not by the JDK, so the registry's
 * Authorization header is never sent to another host.
 */
final class RegistryClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Until the response's headers arrive; a body streams without a deadline. */
    private static final Duration HEADERS_TIMEOUT = Duration.ofSeconds(120);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 64 << 10;
    private static final int MAX_TOKEN_BODY = 1 << 20;
    private static final String API_VERSION_HEADER = "Docker-Distribution-API-Version";

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    private final String registry;
    private final String apiHost;
    private final String repository;
    private final String actions;
    private final RegistrySettings settings;
    private final AuthFile.Credentials credentials;
    private URI base;
    private volatile String authorization;

    /**
     * @param repository  the repository path ("library/busybox"), or null for a login check
     * @param actions     "pull" or "pull,push"
     * @param credentials from jbox login, or null (anonymous)
     */
    RegistryClient(String registry, String repository, String actions, RegistrySettings settings,
            AuthFile.Credentials credentials) {
        this.registry = registry;
        this.apiHost = RemoteImage.apiHost(registry);
        this.repository = repository;
        this.actions = actions;
        this.settings = settings;
        this.credentials = credentials;
    }

    String registry() {
        return registry;
    }

    /**
     * GET /v2/: the scheme, then authentication if the registry asks for it. Where plain HTTP is
     * allowed it is tried first (loading the JDK's trust store for a TLS attempt costs a second on
     * a cold JVM, for nothing on loopback); an HTTPS-only registry there answers 400 without the
     * distribution API's header, or closes, and is then spoken to over HTTPS.
     */
    void connect() throws ImageException {
        HttpResponse<InputStream> ping = null;
        if (settings.allowsHttp(apiHost)) {
            URI plain = URI.create("http://" + apiHost + "/v2/");
            try {
                ping = exchange(HttpRequest.newBuilder(plain).GET(), false);
                if (ping.statusCode() == 400 && ping.headers().firstValue(API_VERSION_HEADER).isEmpty()) {
                    ping.body().close();
                    ping = null;
                } else {
                    base = URI.create("http://" + apiHost);
                }
            } catch (IOException e) {
                ping = null;
            }
        }
        if (ping == null) {
            URI https = URI.create("https://" + apiHost + "/v2/");
            try {
                ping = exchange(HttpRequest.newBuilder(https).GET(), false);
                base = URI.create("https://" + apiHost);
            } catch (IOException e) {
                throw unreachable(settings.allowsHttp(apiHost) ? "http://" + apiHost + " or " + https : https.toString(), e);
            }
        }
        try (InputStream body = ping.body()) {
            if (ping.statusCode() == 401) {
                authenticate(ping);
                HttpResponse<InputStream> again = send("GET", "/v2/", Map.of(), null, "registry " + registry);
                again.body().close();
                check(again, "registry " + registry);
            } else if (ping.statusCode() != 200) {
                throw error(ping, "registry " + registry + " at " + base + "/v2/");
            }
        } catch (IOException e) {
            throw new ImageException("cannot read from registry " + registry + ": " + IoReason.of(e), e);
        }
    }

    URI base() {
        return base;
    }

    /** The /v2/NAME/… path of this client's repository. */
    String repoPath(String rest) {
        return "/v2/" + repository + "/" + rest;
    }

    /**
     * Sends one request (with authentication, re-authenticating once on 401, and redirects); the
     * caller checks the status and closes the body. {@code target} is a path below the registry
     * ("/v2/…") or an absolute URL the registry gave (an upload location).
     */
    HttpResponse<InputStream> send(String method, String target, Map<String, String> headers,
            HttpRequest.BodyPublisher body, String what) throws ImageException {
        URI uri = target.startsWith("/") ? base.resolve(target) : URI.create(target);
        try {
            HttpResponse<InputStream> r = exchange(request(method, uri, headers, body), true);
            if (r.statusCode() == 401 && body == null) {
                r.body().close();
                authenticate(r);
                r = exchange(request(method, uri, headers, body), true);
            }
            return r;
        } catch (IOException e) {
            throw new ImageException("cannot " + verb(method) + " " + what + " (" + uri + "): " + IoReason.of(e), e);
        }
    }

    /** As {@link #send}, for a body that can be sent again: a 401 re-authenticates and resends it. */
    HttpResponse<InputStream> sendReplayable(String method, String target, Map<String, String> headers,
            Supplier<HttpRequest.BodyPublisher> body, String what) throws ImageException {
        URI uri = target.startsWith("/") ? base.resolve(target) : URI.create(target);
        try {
            HttpResponse<InputStream> r = exchange(request(method, uri, headers, body.get()), true);
            if (r.statusCode() == 401) {
                r.body().close();
                authenticate(r);
                r = exchange(request(method, uri, headers, body.get()), true);
            }
            return r;
        } catch (IOException e) {
            throw new ImageException("cannot " + verb(method) + " " + what + " (" + uri + "): " + IoReason.of(e), e);
        }
    }

    private static String verb(String method) {
        return switch (method) {
            case "GET", "HEAD" -> "fetch";
            default -> "send";
        };
    }

    private HttpRequest.Builder request(String method, URI uri, Map<String, String> headers,
            HttpRequest.BodyPublisher body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body);
        headers.forEach(b::header);
        return b;
    }

    /** One exchange, following redirects for GET and HEAD; Authorization only ever goes to the registry's host. */
    private HttpResponse<InputStream> exchange(HttpRequest.Builder builder, boolean authorize) throws IOException {
        HttpRequest request = builder.build();
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(request, (name, value) -> true);
            String auth = authorization;
            if (authorize && auth != null && sameHost(request.uri())) {
                b.setHeader("Authorization", auth);
            }
            HttpResponse<InputStream> r = sendInterruptibly(b.build());
            int status = r.statusCode();
            boolean redirect = status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
            String method = request.method();
            if (!redirect || !(method.equals("GET") || method.equals("HEAD"))) {
                return r;
            }
            r.body().close();
            String location = r.headers().firstValue("Location").orElse(null);
            if (location == null || hop == MAX_REDIRECTS) {
                throw new IOException(location == null ? "redirect without a Location" : "too many redirects");
            }
            URI next = request.uri().resolve(location);
            if (request.uri().getScheme().equals("https") && !next.getScheme().equals("https")) {
                throw new IOException("refusing a redirect from https to " + next.getScheme());
            }
            request = HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("authorization"))
                    .uri(next).build();
        }
    }

    private HttpResponse<InputStream> sendInterruptibly(HttpRequest r) throws IOException {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    private boolean sameHost(URI uri) {
        return base == null || (uri.getHost() != null && uri.getHost().equalsIgnoreCase(base.getHost())
                && uri.getPort() == base.getPort());
    }

    /** Answers a 401: a bearer token from the realm (with the stored credentials if any), or basic auth. */
    private void authenticate(HttpResponse<?> unauthorized) throws ImageException {
        List<AuthChallenge> challenges = AuthChallenge.parse(
                String.join(", ", unauthorized.headers().allValues("WWW-Authenticate")));
        AuthChallenge bearer = challenges.stream().filter(AuthChallenge::isBearer).findFirst().orElse(null);
        if (bearer != null && bearer.param("realm") != null) {
            authorization = "Bearer " + token(bearer);
            return;
        }
        if (challenges.stream().anyMatch(AuthChallenge::isBasic)) {
            if (credentials == null) {
                throw new ImageException("registry " + registry + " requires a login (run: jbox login " + registry + ")");
            }
            if (authorization != null && authorization.startsWith("Basic ")) {
                throw new ImageException("registry " + registry + " refused the credentials of "
                        + credentials.user() + " (run: jbox login " + registry + ")");
            }
            authorization = "Basic " + credentials.basic();
            return;
        }
        throw new ImageException("registry " + registry + " answered 401 without a Bearer or Basic challenge");
    }

    private String token(AuthChallenge bearer) throws ImageException {
        StringBuilder query = new StringBuilder();
        if (bearer.param("service") != null) {
            query.append("service=").append(URLEncoder.encode(bearer.param("service"), StandardCharsets.UTF_8));
        }
        if (repository != null) {
            query.append(query.length() > 0 ? "&" : "").append("scope=").append(URLEncoder.encode(
                    "repository:" + repository + ":" + actions, StandardCharsets.UTF_8));
        }
        URI realm;
        try {
            realm = URI.create(bearer.param("realm"));
        } catch (IllegalArgumentException e) {
            throw new ImageException("registry " + registry + " names a malformed token realm " + bearer.param("realm"));
        }
        if (!"https".equals(realm.getScheme()) && !("http".equals(realm.getScheme())
                && settings.allowsHttp(realm.getAuthority()))) {
            throw new ImageException("registry " + registry + " names token realm " + realm
                    + ": only https (or http for a registry allowed plain http)");
        }
        String sep = realm.getRawQuery() == null ? "?" : "&";
        URI uri = URI.create(realm + (query.length() > 0 ? sep + query : ""));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(HEADERS_TIMEOUT).GET();
        if (credentials != null) {
            b.header("Authorization", "Basic " + credentials.basic());
        }
        try {
            HttpResponse<InputStream> r = exchange(b, false);
            byte[] content;
            try (InputStream in = r.body()) {
                content = in.readNBytes(MAX_TOKEN_BODY);
            }
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                throw new ImageException("token service " + realm.getHost() + " refused "
                        + (credentials == null ? "anonymous access" : "the credentials of " + credentials.user())
                        + " to " + (repository == null ? registry : repository) + " (" + r.statusCode() + ")"
                        + (credentials == null ? " (run: jbox login " + registry + ")" : ""));
            }
            if (r.statusCode() != 200) {
                throw new ImageException("token service " + realm + " answered " + r.statusCode());
            }
            JsonNode json = JSON.readTree(content);
            String token = json.path("token").asText(json.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new ImageException("token service " + realm + " sent no token");
            }
            return token;
        } catch (IOException e) {
            throw new ImageException("cannot get a token from " + realm + ": " + IoReason.of(e), e);
        }
    }

    /** Fails unless the status is 2xx. */
    static void check(HttpResponse<InputStream> r, String what) throws ImageException {
        if (r.statusCode() / 100 != 2) {
            throw error(r, what);
        }
    }

    /**
     * One line from an error response: the distribution spec's {"errors":[{"code","message"}]}
     * when the registry sent it, else the status.
     */
    static ImageException error(HttpResponse<InputStream> r, String what) {
        String detail = "";
        try (InputStream in = r.body()) {
            JsonNode errors = JSON.readTree(in.readNBytes(MAX_ERROR_BODY)).path("errors");
            if (errors.isArray() && !errors.isEmpty()) {
                JsonNode first = errors.get(0);
                detail = ": " + first.path("message").asText("").toLowerCase(Locale.ROOT)
                        + " (" + first.path("code").asText("") + ")";
            }
        } catch (IOException | RuntimeException notJson) {
            // the status alone
        }
        return new ImageException(what + ": registry answered " + r.statusCode() + detail);
    }

    private ImageException unreachable(String uri, IOException e) {
        String why = e instanceof ConnectException ? "connection refused" : IoReason.of(e);
        return new ImageException("cannot reach registry " + registry + " at " + uri + ": " + why, e);
    }
}
