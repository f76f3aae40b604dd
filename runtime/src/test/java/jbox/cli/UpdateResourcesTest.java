package jbox.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import jbox.JboxException;
import jbox.cgroup.CgroupUpdate;
import org.junit.jupiter.api.Test;

/** update's flags and -r JSON as runc reads them; events' --interval in Go's duration form. */
class UpdateResourcesTest {
    @Test
    void flagsTakeRuncsUnitsAndMinusOne() throws Exception {
        CgroupUpdate u = UpdateResources.fromFlags("50m", "-1", "1g", 40L, -1L, 100000L, 512L, "0-1", "0");
        assertEquals(new CgroupUpdate(50L << 20, -1L, 1L << 30, 40L, -1L, 100000L, 512L, "0-1", "0"), u);
    }

    @Test
    void zeroSharesAndPeriodMeanUnchangedAsInRunc() throws Exception {
        CgroupUpdate u = UpdateResources.fromFlags("1024", null, null, null, null, 0L, 0L, "", null);
        assertEquals(new CgroupUpdate(1024L, null, null, null, null, null, null, null, null), u);
    }

    @Test
    void noFlagIsAnError() {
        JboxException e = assertThrows(JboxException.class,
                () -> UpdateResources.fromFlags(null, null, null, null, null, null, null, null, null));
        assertEquals("update: nothing to change (give a flag such as --memory, or -r FILE)", e.getMessage());
    }

    @Test
    void badSizeNamesTheFlag() {
        JboxException e = assertThrows(JboxException.class,
                () -> UpdateResources.fromFlags("lots", null, null, null, null, null, null, null, null));
        assertEquals("update: invalid --memory lots: expected bytes with an optional unit (512m, 1g) or -1", e.getMessage());
    }

    @Test
    void unsupportedFlagIsRefusedByName() {
        JboxException e = assertThrows(JboxException.class, () -> UpdateResources.refuse("--blkio-weight", "100"));
        assertEquals("update: --blkio-weight is not supported (jbox does not manage that setting)", e.getMessage());
    }

    @Test
    void runcsTemplateOfZerosChangesNothingButWhatIsSet() throws Exception {
        String json = """
                {"memory": {"limit": 52428800, "reservation": 0, "swap": 0, "kernel": 0},
                 "cpu": {"shares": 0, "quota": 20000, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0,
                         "cpus": "", "mems": ""},
                 "blockIO": {"weight": 0}, "pids": {"limit": 7}}
                """;
        CgroupUpdate u = UpdateResources.fromJson(json.getBytes(StandardCharsets.UTF_8), "res.json");
        assertEquals(new CgroupUpdate(52428800L, null, null, 7L, 20000L, null, null, null, null), u);
    }

    @Test
    void aSetFieldJboxDoesNotManageIsRefusedWithItsPath() {
        JboxException e = assertThrows(JboxException.class, () -> UpdateResources.fromJson(
                "{\"blockIO\": {\"weight\": 100}}".getBytes(StandardCharsets.UTF_8), "-"));
        assertEquals("update: standard input: linux.resources.blockIO is not supported", e.getMessage());
        JboxException rt = assertThrows(JboxException.class, () -> UpdateResources.fromJson(
                "{\"cpu\": {\"realtimeRuntime\": 5}}".getBytes(StandardCharsets.UTF_8), "r.json"));
        assertEquals("update: r.json: linux.resources.cpu.realtimeRuntime is not supported", rt.getMessage());
    }

    @Test
    void wrongTypesAndBadJsonAreOneLine() {
        JboxException e = assertThrows(JboxException.class, () -> UpdateResources.fromJson(
                "{\"memory\": {\"limit\": \"50m\"}}".getBytes(StandardCharsets.UTF_8), "r.json"));
        assertEquals("update: r.json: linux.resources.memory.limit: expected an integer, found \"50m\"", e.getMessage());
        JboxException notJson = assertThrows(JboxException.class, () -> UpdateResources.fromJson(
                "[1]".getBytes(StandardCharsets.UTF_8), "r.json"));
        assertEquals("update: r.json: expected a json object (runtime-spec linux.resources)", notJson.getMessage());
    }

    @Test
    void intervalsInGosForm() throws Exception {
        assertEquals(Duration.ofSeconds(5), OciVerbCommands.parseDuration("5s"));
        assertEquals(Duration.ofMillis(250), OciVerbCommands.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(90), OciVerbCommands.parseDuration("1m30s"));
        assertEquals(Duration.ofMillis(1500), OciVerbCommands.parseDuration("1.5s"));
        assertEquals("invalid --interval 5: expected a duration such as 5s or 500ms",
                assertThrows(JboxException.class, () -> OciVerbCommands.parseDuration("5")).getMessage());
        assertEquals("--interval must be greater than 0",
                assertThrows(JboxException.class, () -> OciVerbCommands.parseDuration("0s")).getMessage());
    }
}
