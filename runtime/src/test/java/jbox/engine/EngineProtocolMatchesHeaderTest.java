package jbox.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * jbox.engine.EngineProtocol (and EnginePaths' directory) and the front end's
 * launcher-c-shim/src/engine_protocol.h must never drift apart: every frame type both ways, the
 * limits, the tty bits, SPAWN's modes, the version and the engine's directory.
 */
class EngineProtocolMatchesHeaderTest {
    /** Maven runs tests with the module directory (runtime/) as the working directory. */
    static final Path HEADER = Path.of("../launcher-c-shim/src/engine_protocol.h");

    static Map<String, Long> cEnum;
    static Map<String, String> cDefines;

    @BeforeAll
    static void parseHeader() throws IOException {
        String code = Files.readString(HEADER).replaceAll("(?s)/\\*.*?\\*/", "");
        cEnum = new TreeMap<>();
        Matcher enums = Pattern.compile("(?s)enum\\s+engine_msg\\s*\\{(.*?)\\}").matcher(code);
        while (enums.find()) {
            Matcher m = Pattern.compile("(\\w+)\\s*=\\s*(\\d+)").matcher(enums.group(1));
            while (m.find()) {
                cEnum.put(m.group(1), Long.parseLong(m.group(2)));
            }
        }
        cDefines = new TreeMap<>();
        Matcher d = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(.+?)\\s*$").matcher(code);
        while (d.find()) {
            cDefines.put(d.group(1), d.group(2));
        }
    }

    /** A define's value: NUMBERu, (AuSHIFT << B) or "string" (unquoted). */
    static Object value(String name) {
        String v = cDefines.get(name);
        assertTrue(v != null, name + " not found in engine_protocol.h (parsed " + cDefines.keySet() + ")");
        Matcher shift = Pattern.compile("\\((\\d+)u?\\s*<<\\s*(\\d+)\\)").matcher(v);
        if (shift.matches()) {
            return Long.parseLong(shift.group(1)) << Long.parseLong(shift.group(2));
        }
        Matcher num = Pattern.compile("(\\d+)u?").matcher(v);
        if (num.matches()) {
            return Long.parseLong(num.group(1));
        }
        Matcher str = Pattern.compile("\"(.*)\"").matcher(v);
        assertTrue(str.matches(), name + " = " + v + ": neither a number nor a string");
        return str.group(1);
    }

    @Test
    void theHeaderWasParsed() {
        // Guards the regexes: a parse that found nothing would make every check below vacuous.
        assertTrue(cEnum.size() >= 13 && cEnum.containsKey("EMSG_REQUEST") && cEnum.containsKey("EMSG_FALLBACK"), "parsed " + cEnum);
        assertTrue(cDefines.containsKey("ENGINE_FRAME_MAX") && cDefines.containsKey("SPAWN_MODE_DETACHED"), "parsed " + cDefines);
    }

    /** EngineProtocol's int constants that are not frame types (the limits are MAX_*). */
    static final java.util.Set<String> NOT_TYPES = java.util.Set.of("VERSION", "SPAWN_INHERIT", "SPAWN_DETACHED");

    @Test
    void everyFrameTypeHasTheSameValueBothWays() throws IllegalAccessException {
        Map<String, Long> c = new TreeMap<>();
        cEnum.forEach((k, v) -> c.put(k.substring("EMSG_".length()), v));
        Map<String, Long> java = new TreeMap<>();
        for (Field f : EngineProtocol.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == int.class
                    && !f.getName().startsWith("MAX_") && !NOT_TYPES.contains(f.getName())) {
                java.put(f.getName(), (long) f.getInt(null));
            }
        }
        assertEquals(c, java);
    }

    @Test
    void limitsVersionAndModesMatch() {
        Map<String, Long> expected = new TreeMap<>(Map.of(
                "ENGINE_PROTOCOL_VERSION", (long) EngineProtocol.VERSION,
                "ENGINE_FRAME_MAX", (long) EngineProtocol.MAX_FRAME,
                "ENGINE_DATA_MAX", (long) EngineProtocol.MAX_DATA,
                "ENGINE_ARGC_MAX", (long) EngineProtocol.MAX_ARGS,
                "ENGINE_ENVC_MAX", (long) EngineProtocol.MAX_ENV,
                "ENGINE_STRING_MAX", (long) EngineProtocol.MAX_STRING,
                "SPAWN_MODE_INHERIT", (long) EngineProtocol.SPAWN_INHERIT,
                "SPAWN_MODE_DETACHED", (long) EngineProtocol.SPAWN_DETACHED));
        Map<String, Object> c = new TreeMap<>();
        expected.keySet().forEach(k -> c.put(k, value(k)));
        assertEquals(new TreeMap<String, Object>(expected), c);
    }

    @Test
    void ttyBitsAreTheFdsThatHelloReads() {
        String[] names = {"ENGINE_TTY_STDIN", "ENGINE_TTY_STDOUT", "ENGINE_TTY_STDERR"};
        for (int fd = 0; fd < 3; fd++) {
            int bit = ((Long) value(names[fd])).intValue();
            EngineProtocol.Hello h = new EngineProtocol.Hello(1, bit, 0, 0, 1, "k", "/", java.util.List.of(), java.util.List.of());
            for (int other = 0; other < 3; other++) {
                assertEquals(other == fd, h.tty(other), names[fd] + " read as fd " + other);
            }
        }
    }

    @Test
    void theEnginesDirectoryIsTheFrontEndsDefault() {
        assertEquals(EnginePaths.DIR.toString(), value("ENGINE_DIR"));
    }
}
