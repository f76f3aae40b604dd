package jbox.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import jbox.io.FileModes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthFileTest {
    @TempDir
    Path tmp;

    @Test
    void storesDockerConfigFormatRootOnlyWhateverTheUmask() throws Exception {
        AuthFile auth = new AuthFile(tmp.resolve("registry/auth.json"));

        auth.store("127.0.0.1:5000", new AuthFile.Credentials("alice", "s3cr:et"));

        JsonNode json = new ObjectMapper().readTree(tmp.resolve("registry/auth.json").toFile());
        assertEquals("alice:s3cr:et", new String(Base64.getDecoder().decode(
                json.path("auths").path("127.0.0.1:5000").path("auth").asText())));
        assertEquals(0600, FileModes.mode(tmp.resolve("registry/auth.json")));
        assertEquals(0700, FileModes.mode(tmp.resolve("registry")));
        assertEquals(new AuthFile.Credentials("alice", "s3cr:et"), auth.find("127.0.0.1:5000"));
    }

    @Test
    void dockerHubUsesDockersKeyAndOtherSpellingsAreRead() throws Exception {
        Path file = tmp.resolve("auth.json");
        String bob = Base64.getEncoder().encodeToString("bob:pw".getBytes());
        Files.writeString(file, "{\"auths\":{\"https://quay.io\":{\"auth\":\"" + bob + "\"}},\"credsStore\":\"x\"}");
        AuthFile auth = new AuthFile(file);

        assertEquals("bob", auth.find("quay.io").user());
        auth.store("docker.io", new AuthFile.Credentials("carol", "pw"));

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertTrue(json.path("auths").has("https://index.docker.io/v1/"));
        assertEquals("x", json.path("credsStore").asText()); // other keys are kept
        assertEquals("carol", auth.find("docker.io").user());
        assertNull(auth.find("127.0.0.1:5000"));
    }

    @Test
    void logoutRemovesEverySpelling() throws Exception {
        AuthFile auth = new AuthFile(tmp.resolve("a/auth.json"));
        auth.store("reg.io", new AuthFile.Credentials("u", "p"));

        assertTrue(auth.remove("reg.io"));
        assertNull(auth.find("reg.io"));
        assertFalse(auth.remove("reg.io"));
    }

    @Test
    void credentialsNeverShowTheirPassword() {
        assertFalse(new AuthFile.Credentials("u", "hunter2").toString().contains("hunter2"));
    }
}
