package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** docker's words and formats that ps, inspect, image ls and logs print: the same text as docker's for the same input. */
class DockerFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void psWithoutAllListsRunningAndPausedOnes() {
        // A run whose process has not started is `created` (pid 0): docker's ps leaves it out until it runs.
        assertTrue(ContainerView.running("running"));
        assertTrue(ContainerView.running("paused"));
        for (String s : List.of("created", "exited", "dead")) {
            assertFalse(ContainerView.running(s), s);
        }
    }

    @Test
    void durationsReadAsGoUnitsHumanDuration() {
        assertEquals("Less than a second", HumanTime.duration(Duration.ofMillis(400)));
        assertEquals("1 second", HumanTime.duration(Duration.ofSeconds(1)));
        assertEquals("59 seconds", HumanTime.duration(Duration.ofSeconds(59)));
        assertEquals("About a minute", HumanTime.duration(Duration.ofSeconds(61)));
        assertEquals("3 minutes", HumanTime.duration(Duration.ofMinutes(3)));
        assertEquals("About an hour", HumanTime.duration(Duration.ofMinutes(80)));
        assertEquals("2 hours", HumanTime.duration(Duration.ofMinutes(95)));
        assertEquals("3 days", HumanTime.duration(Duration.ofDays(3)));
        assertEquals("2 weeks", HumanTime.duration(Duration.ofDays(15)));
        assertEquals("3 months", HumanTime.duration(Duration.ofDays(95)));
        assertEquals("2 years", HumanTime.duration(Duration.ofDays(800)));
        Instant now = Instant.parse("2024-05-01T10:00:00Z");
        assertEquals("2 minutes ago", HumanTime.ago(now.minusSeconds(150), now));
    }

    @Test
    void sinceTakesInstantsUnixSecondsAndDurations() throws JboxException {
        Instant now = Instant.parse("2024-05-01T10:00:00Z");
        assertEquals(now.minusSeconds(600), HumanTime.since("10m", now));
        assertEquals(now.minusSeconds(5400), HumanTime.since("1h30m", now));
        assertEquals(Instant.parse("2024-05-01T09:00:00Z"), HumanTime.since("2024-05-01T09:00:00Z", now));
        assertEquals(Instant.parse("2024-05-01T09:00:00Z"), HumanTime.since("2024-05-01T11:00:00+02:00", now));
        assertEquals(Instant.ofEpochSecond(1714557600), HumanTime.since("1714557600", now));
        JboxException bad = assertThrows(JboxException.class, () -> HumanTime.since("yesterday", now));
        assertTrue(bad.getMessage().startsWith("invalid time yesterday: "), bad.getMessage());
    }

    @Test
    void templatesTakeFieldsPathsJsonAndIndex() throws JboxException {
        ObjectNode o = JSON.createObjectNode();
        o.put("ID", "abc").put("Names", "web");
        o.putObject("State").put("Pid", 42).put("Running", true);
        o.putObject("Config").putObject("Labels").put("tier", "front");
        assertEquals("abc web", GoTemplate.parse("{{.ID}} {{.Names}}").render(o));
        assertEquals("42 true", GoTemplate.parse("{{.State.Pid}} {{ .State.Running }}").render(o));
        assertEquals("{\"Pid\":42,\"Running\":true}", GoTemplate.parse("{{json .State}}").render(o));
        assertEquals("front", GoTemplate.parse("{{index .Config.Labels \"tier\"}}").render(o));
        assertEquals("map[tier:front]", GoTemplate.parse("{{.Config.Labels}}").render(o));
        assertEquals("abc\tWEB\n", GoTemplate.parse("{{.ID}}\\t{{upper .Names}}\\n").render(o));
        JboxException unknown = assertThrows(JboxException.class, () -> GoTemplate.parse("{{.Nope}}").render(o));
        assertTrue(unknown.getMessage().startsWith("cannot format {{.Nope}}: no field Nope"), unknown.getMessage());
        assertThrows(JboxException.class, () -> GoTemplate.parse("{{range .Mounts}}x{{end}}"));
        assertThrows(JboxException.class, () -> GoTemplate.parse("{{.ID"));
    }

    @Test
    void tablesAlignAsDockersTabwriter() throws JboxException {
        ObjectNode a = JSON.createObjectNode().put("ID", "0123456789ab").put("Names", "web");
        ObjectNode b = JSON.createObjectNode().put("ID", "x").put("Names", "a_much_longer_name");
        String out = Table.render("table {{.ID}}\\t{{.Names}}", List.of(a, b), PsCommand::header);
        assertEquals("CONTAINER ID   NAMES\n0123456789ab   web\nx              a_much_longer_name\n", out);
        assertEquals("web\na_much_longer_name\n", Table.render("{{.Names}}", List.of(a, b), PsCommand::header));
    }

    @Test
    void imageNamesSizesAndIds() {
        assertEquals(List.of("busybox", "latest"), List.of(ImageCommand.repoTag("busybox")));
        assertEquals(List.of("alpine", "3.19"), List.of(ImageCommand.repoTag("alpine:3.19")));
        assertEquals(List.of("127.0.0.1:5000/app", "latest"), List.of(ImageCommand.repoTag("127.0.0.1:5000/app")));
        assertEquals("0B", ImageCommand.humanSize(0));
        assertEquals("999B", ImageCommand.humanSize(999));
        assertEquals("4.26kB", ImageCommand.humanSize(4260));
        assertEquals("7.8MB", ImageCommand.humanSize(7_800_000));
        assertEquals("1.24GB", ImageCommand.humanSize(1_236_000_000));
        assertEquals("0123456789ab", ImageCommand.shortId("sha256:0123456789abcdef"));
        assertTrue(PsCommand.sameImage("busybox", "busybox:latest"));
        assertTrue(!PsCommand.sameImage("busybox", "alpine"));
    }

    @Test
    void suggestionsAreNearNotJustAnyCommand() {
        List<String> commands = List.of("stop", "start", "ps", "logs", "image", "inspect", "rm", "run");
        assertEquals(List.of("stop"), HelpLayout.nearest("sotp", commands));
        assertEquals(List.of("image"), HelpLayout.nearest("imgae", commands));
        assertEquals(List.of("inspect"), HelpLayout.nearest("insepct", commands));
        assertEquals(List.of(), HelpLayout.nearest("bogus", commands));
        assertEquals(1, HelpLayout.distance("psx", "ps"));
    }

    @Test
    void labelsAreTheRecordsAnnotationsAndPrefixedSpecAnnotations() {
        jbox.state.ContainerRecord r = jbox.state.ContainerRecord.ofImage("a".repeat(64), "web", "busybox", "2024-05-01T10:00:00Z",
                false, "/x").withSpecParts(java.util.Map.of("tier", "front"), null);
        ObjectNode config = JSON.createObjectNode();
        config.putObject("annotations").put("dev.jbox.label.team", "ops").put("dev.jbox.network.mode", "none");
        assertEquals(java.util.Map.of("tier", "front", "team", "ops"), ContainerView.labels(r, config));
    }
}
