package jbox.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** jbox.process.Protocol and launcher-c-shim/src/protocol.h must never drift apart. */
class ProtocolMatchesHeaderTest {
    /** Maven runs tests with the module directory (runtime/) as the working directory. */
    static final Path SHIM_SRC = Path.of("../launcher-c-shim/src");

    static Map<String, Long> cEnum;
    static String header;

    @BeforeAll
    static void parseHeader() throws IOException {
        header = Files.readString(SHIM_SRC.resolve("protocol.h"));
        String code = header.replaceAll("(?s)/\\*.*?\\*/", "");
        cEnum = new TreeMap<>();
        Matcher enums = Pattern.compile("(?s)enum\\s+\\w+\\s*\\{(.*?)\\}").matcher(code);
        while (enums.find()) {
            Matcher m = Pattern.compile("(\\w+)\\s*=\\s*(\\d+)").matcher(enums.group(1));
            while (m.find()) {
                cEnum.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
    }

    static Map<String, Long> javaConstants(String prefix) throws IllegalAccessException {
        Map<String, Long> out = new TreeMap<>();
        for (Field f : Protocol.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getName().startsWith(prefix)) {
                out.put(f.getName(), ((Number) f.get(null)).longValue());
            }
        }
        return out;
    }

    @Test
    void headerWasParsed() {
        // Guards the regexes below: a parse that finds nothing would make every check vacuous.
        assertTrue(cEnum.containsKey("MSG_CLONE") && cEnum.containsKey("OP_EXEC") && cEnum.containsKey("OP_MAX"),
                "parsed " + cEnum);
    }

    @Test
    void everyCMessageTypeHasTheSameValueInJava() throws IllegalAccessException {
        Map<String, Long> c = new TreeMap<>();
        cEnum.forEach((k, v) -> {
            if (k.startsWith("MSG_")) {
                c.put(k, v);
            }
        });
        assertEquals(c, javaConstants("MSG_"));
    }

    @Test
    void everyCStepOpHasTheSameValueInJava() throws IllegalAccessException {
        Map<String, Long> c = new TreeMap<>();
        cEnum.forEach((k, v) -> {
            if (k.startsWith("OP_") && !k.equals("OP_MAX")) { // OP_MAX is the C decoder's bound, not an op
                c.put(k, v);
            }
        });
        assertEquals(c, javaConstants("OP_"));
    }

    @Test
    void opsAreDenseBelowOpMaxSoTheShimAcceptsEveryJavaOp() throws IllegalAccessException {
        long max = cEnum.get("OP_MAX");
        TreeSet<Long> java = new TreeSet<>(javaConstants("OP_").values());
        for (long op = 1; op < max; op++) {
            assertTrue(java.contains(op), "no Java constant for op " + op + " (OP_MAX is " + max + ")");
        }
        assertTrue(java.last() < max, "Java op " + java.last() + " would be rejected by steps.c (OP_MAX " + max + ")");
    }

    @Test
    void optionalStepFlagMatches() {
        Matcher m = Pattern.compile("#define\\s+OPTIONAL_STEP\\s+0x([0-9a-fA-F]+)u?").matcher(header);
        assertTrue(m.find(), "OPTIONAL_STEP not found in protocol.h");
        assertEquals(Long.parseLong(m.group(1), 16), (long) Protocol.OPTIONAL_STEP);
    }

    @Test
    void planSizeLimitMatches() {
        Matcher m = Pattern.compile("#define\\s+PLAN_MAX_BYTES\\s+\\((\\d+)u?\\s*<<\\s*(\\d+)\\)").matcher(header);
        assertTrue(m.find(), "PLAN_MAX_BYTES not found in protocol.h");
        assertEquals(Long.parseLong(m.group(1)) << Long.parseLong(m.group(2)), Protocol.PLAN_MAX_BYTES);
    }

    /** Every #define NAME 0xHEX / NAME DECIMAL of protocol.h whose name starts with prefix. */
    static Map<String, Long> cDefines(String prefix) {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = Pattern.compile("#define\\s+(" + prefix + "\\w*)\\s+(0x[0-9a-fA-F]+|\\d+)u?\\b").matcher(header);
        while (m.find()) {
            String v = m.group(2);
            out.put(m.group(1), v.startsWith("0x") ? Long.parseLong(v.substring(2), 16) : Long.parseLong(v));
        }
        return out;
    }

    @Test
    void everyShimStepIdIsTheSameInJavaBothWays() throws IllegalAccessException {
        Map<String, Long> c = cDefines("STEP_");
        c.remove("STEP_MAX_ARGS"); // the decoder's bound on a step's args, not a step id
        assertTrue(c.containsKey("STEP_CLONE") && c.containsKey("STEP_JOIN") && c.containsKey("STEP_PROTOCOL"), "parsed " + c);
        Map<String, Long> java = javaConstants("STEP_");
        assertEquals(c, java);
    }

    @Test
    void sharedLimitsAndMarkersMatch() {
        for (Map.Entry<String, Long> e : Map.of("MAX_JOINS", (long) Protocol.MAX_JOINS, "HOOK_FAILED", (long) Protocol.HOOK_FAILED,
                "FAILED_MSG_LEN", (long) Protocol.FAILED_MSG_LEN, "MAX_ON_EXIT_ARGS", (long) Protocol.MAX_ON_EXIT_ARGS).entrySet()) {
            assertEquals(Map.of(e.getKey(), e.getValue()), cDefines(e.getKey()), e.getKey());
        }
    }

    @Test
    void exitStatusesAreJboxExceptions() {
        assertEquals(Map.of("EXIT_FAILED", (long) jbox.JboxException.FAILED, "EXIT_NOT_EXECUTABLE",
                (long) jbox.JboxException.NOT_EXECUTABLE, "EXIT_NOT_FOUND", (long) jbox.JboxException.NOT_FOUND), cDefines("EXIT_"));
    }

    @Test
    void theShimsCFilesDefineNoProtocolConstantOfTheirOwn() throws IOException {
        try (var files = Files.list(SHIM_SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".c")).toList()) {
                Matcher m = Pattern.compile("#define\\s+(STEP_\\w+|MAX_JOINS|HOOK_FAILED|MSG_\\w+|OP_\\w+|SHIM_OPT_\\w+)\\b")
                        .matcher(Files.readString(f));
                assertTrue(!m.find(), f.getFileName() + " defines " + (m.hitEnd() ? "" : m.group(1)) + ": protocol.h is its place");
            }
        }
    }

    @Test
    void cloneOptionsAndSizeMatch() throws IllegalAccessException {
        for (Map.Entry<String, Long> e : javaConstants("SHIM_OPT_").entrySet()) {
            Matcher o = Pattern.compile("#define\\s+" + e.getKey() + "\\s+(\\d+)u?").matcher(header);
            assertTrue(o.find(), e.getKey() + " not found in protocol.h");
            assertEquals(Long.parseLong(o.group(1)), e.getValue(), e.getKey());
        }
        Matcher m;
        m = Pattern.compile("#define\\s+CLONE_MSG_MAX\\s+\\((\\d+)u?\\s*\\+\\s*(\\d+)u?\\)").matcher(header);
        assertTrue(m.find(), "CLONE_MSG_MAX not found in protocol.h");
        assertEquals(Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)), Protocol.CLONE_MSG_MAX);
    }

    @Test
    void everyMessageTypeHasItsOwnName() throws IllegalAccessException {
        for (Map.Entry<String, Long> e : javaConstants("MSG_").entrySet()) {
            assertEquals(e.getKey().substring("MSG_".length()), Protocol.messageName(e.getValue().intValue()));
        }
        assertFalse(Protocol.messageName(99).isEmpty());
        assertEquals("message 99", Protocol.messageName(99));
    }
}
