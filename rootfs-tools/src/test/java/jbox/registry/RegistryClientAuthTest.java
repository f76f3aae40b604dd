package jbox.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import jbox.image.ImageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bearer-token flow as Docker Hub runs it (401 with a Bearer challenge, a token from the realm
 * for the repository's scope, the token on every request), against a loopback HttpServer that is
 * both registry and token service, and refuses a wrong password the way auth.docker.io does.
 */
class RegistryClientAuthTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private String host;
    private final List<String> tokenQueries = new CopyOnWriteArrayList<>();
    private final List<String> registryAuth = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        host = "127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/token", this::token);
        server.createContext("/v2/", this::registry);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void token(HttpExchange x) throws IOException {
        try (x) {
            tokenQueries.add(x.getRequestURI().getRawQuery());
            String auth = x.getRequestHeaders().getFirst("Authorization");
            boolean anonymous = auth == null;
            boolean alice = ("Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes())).equals(auth);
            if (!anonymous && !alice) {
                x.sendResponseHeaders(401, -1);
                return;
            }
            byte[] body = ("{\"token\":\"" + (alice ? "T-alice" : "T-anon") + "\",\"expires_in\":300}")
                    .getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
        }
    }

    private void registry(HttpExchange x) throws IOException {
        try (x) {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            registryAuth.add(x.getRequestURI().getPath() + " " + auth);
            boolean ok = "Bearer T-alice".equals(auth)
                    || "Bearer T-anon".equals(auth) && !x.getRequestURI().getPath().contains("/private/");
            if (!ok) {
                x.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + host
                        + "/token\",service=\"test-registry\"");
                x.sendResponseHeaders(401, -1);
                return;
            }
            x.sendResponseHeaders(200, -1);
        }
    }

    private RegistryClient client(String repository, AuthFile.Credentials credentials) {
        return new RegistryClient(host, repository, "pull", new RegistrySettings(List.of(), tmp.resolve("a"), tmp, 1),
                credentials);
    }

    @Test
    void anonymousTokenForThePullScopeIsSentOnEveryRequest() throws Exception {
        RegistryClient c = client("library/busybox", null);
        c.connect();
        HttpResponse<?> r = c.send("GET", c.repoPath("manifests/latest"), Map.of(), null, "manifest");

        assertEquals(200, r.statusCode());
        assertEquals(List.of("service=test-registry&scope=repository%3Alibrary%2Fbusybox%3Apull"), tokenQueries);
        assertEquals(List.of("/v2/ null", "/v2/ Bearer T-anon", "/v2/library/busybox/manifests/latest Bearer T-anon"),
                registryAuth);
    }

    @Test
    void storedCredentialsAreSentToTheTokenServiceOnly() throws Exception {
        RegistryClient c = client("private/app", new AuthFile.Credentials("alice", "pw"));
        c.connect();

        assertEquals(200, c.send("GET", c.repoPath("manifests/1"), Map.of(), null, "manifest").statusCode());
        assertTrue(registryAuth.stream().noneMatch(a -> a.contains("Basic")), registryAuth.toString());
    }

    @Test
    void aRefusedPasswordIsOneLineNamingTheUser() {
        RegistryClient c = client("private/app", new AuthFile.Credentials("alice", "wrong"));

        ImageException e = assertThrows(ImageException.class, c::connect);

        assertEquals("token service 127.0.0.1 refused the credentials of alice to private/app (401)", e.getMessage());
    }
}
