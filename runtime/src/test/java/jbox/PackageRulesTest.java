package jbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of ARCHITECTURE.md ("Allowed dependencies") hold for every main source file of
 * the three Java modules: what a file imports and what it names inline (jbox.x.Y in code, not in
 * comments or strings) is its own package, the common module's, or a package its own may reach.
 */
class PackageRulesTest {
    /** Maven runs tests with the module directory (runtime/) as the working directory. */
    static final Path TOP = Path.of("..");
    static final List<String> MODULES = List.of("common", "rootfs-tools", "runtime");
    /** The common module's packages: every package may use them (they depend on nothing else of jbox). */
    static final Set<String> FOUNDATION = Set.of("jbox", "jbox.io");

    static final Pattern RULE = Pattern.compile("`(\\w+) → \\{([\\w, ]*)\\}`");
    static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(jbox(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);
    /** A qualified name in code: the package part of jbox.pkg.Type. */
    static final Pattern INLINE = Pattern.compile("(?<![\\w.])(jbox(?:\\.[a-z]\\w*)+)\\.[A-Z]");

    /** package → the packages ARCHITECTURE.md lets it depend on directly. */
    static Map<String, Set<String>> rules;
    /** package → (used package → the files that use it). */
    static Map<String, Map<String, Set<String>>> uses;
    static int files;

    @BeforeAll
    static void read() throws IOException {
        String doc = Files.readString(TOP.resolve("ARCHITECTURE.md"));
        int from = doc.indexOf("Allowed dependencies");
        String list = doc.substring(from, doc.indexOf("\n\n", from));
        rules = new TreeMap<>();
        Matcher m = RULE.matcher(list);
        while (m.find()) {
            Set<String> to = new TreeSet<>();
            for (String p : m.group(2).split(",")) {
                if (!p.isBlank()) {
                    to.add("jbox." + p.strip());
                }
            }
            rules.put("jbox." + m.group(1), to);
        }
        uses = new TreeMap<>();
        for (String module : MODULES) {
            try (Stream<Path> s = Files.walk(TOP.resolve(module).resolve("src/main/java"))) {
                for (Path f : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    scan(f, module);
                }
            }
        }
    }

    static void scan(Path file, String module) throws IOException {
        String code = codeOnly(Files.readString(file));
        Matcher pkg = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE).matcher(code);
        assertTrue(pkg.find(), "no package line in " + file);
        String own = pkg.group(1);
        Map<String, Set<String>> mine = uses.computeIfAbsent(own, k -> new TreeMap<>());
        String name = module + "/" + file.getFileName();
        for (Pattern p : List.of(IMPORT, INLINE)) {
            Matcher m = p.matcher(code);
            while (m.find()) {
                if (!m.group(1).equals(own)) {
                    mine.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(name);
                }
            }
        }
        files++;
    }

    /** The source with comments, string and char literals blanked (text blocks too), so only code is matched. */
    static String codeOnly(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (src.startsWith("//", i)) {
                int end = src.indexOf('\n', i);
                i = end < 0 ? src.length() : end;
            } else if (src.startsWith("/*", i)) {
                int end = src.indexOf("*/", i + 2);
                i = end < 0 ? src.length() : end + 2;
                out.append(' ');
            } else if (src.startsWith("\"\"\"", i)) {
                int end = src.indexOf("\"\"\"", i + 3);
                i = end < 0 ? src.length() : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (j < src.length() && src.charAt(j) != c && src.charAt(j) != '\n') {
                    j += src.charAt(j) == '\\' ? 2 : 1;
                }
                i = j + 1;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** What a package may use: its rule's packages, what those reach in turn, and the common module. */
    static Set<String> reach(String pkg) {
        Set<String> seen = new TreeSet<>(FOUNDATION);
        Deque<String> todo = new ArrayDeque<>(rules.getOrDefault(pkg, Set.of()));
        while (!todo.isEmpty()) {
            String p = todo.pop();
            if (seen.add(p)) {
                todo.addAll(rules.getOrDefault(p, Set.of()));
            }
        }
        return seen;
    }

    @Test
    void theRulesAndTheSourcesWereParsed() {
        // Guards the regexes: a parse that finds nothing would make every check below vacuous.
        assertTrue(rules.size() >= 10 && rules.get("jbox.cli").contains("jbox.oci"), "rules parsed: " + rules);
        assertTrue(files > 150, "main source files read: " + files);
        assertTrue(uses.get("jbox.cli").containsKey("jbox.runtime") && uses.get("jbox.image").containsKey("jbox.rootfs"),
                "dependencies read: " + uses.keySet());
    }

    @Test
    void theInlineNameScanSeesCodeOnly() {
        String src = "package jbox.x;\n// jbox.cli.Main in a comment\n/* jbox.oci.A */ String s = \"jbox.state.B\";\n"
                + "char q = '\"'; jbox.cgroup.C c = jbox.image.D.of(); String t = \"\"\"\n jbox.network.E\n\"\"\";\n";
        Matcher m = INLINE.matcher(codeOnly(src));
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(1));
        }
        assertEquals(List.of("jbox.cgroup", "jbox.image"), found);
    }

    @Test
    void everyPackageHasARule() {
        Set<String> missing = new TreeSet<>(uses.keySet());
        missing.removeAll(rules.keySet());
        missing.removeAll(FOUNDATION);
        assertEquals(Set.of(), missing, "packages with no line in ARCHITECTURE.md's allowed dependencies");
    }

    @Test
    void theCommonModuleDependsOnNothingElseOfJbox() {
        for (String p : FOUNDATION) {
            Set<String> used = new TreeSet<>(uses.getOrDefault(p, Map.of()).keySet());
            used.removeAll(FOUNDATION);
            assertEquals(Set.of(), used, p + " uses");
        }
    }

    @Test
    void theRulesHaveNoCycles() {
        for (String p : rules.keySet()) {
            Set<String> below = new HashSet<>(reach(p));
            below.removeAll(FOUNDATION);
            assertTrue(!below.contains(p), p + " reaches itself through " + below);
        }
    }

    @Test
    void everyDependencyIsAllowed() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Map<String, Set<String>>> e : uses.entrySet()) {
            if (FOUNDATION.contains(e.getKey())) {
                continue;
            }
            Set<String> allowed = reach(e.getKey());
            for (Map.Entry<String, Set<String>> used : e.getValue().entrySet()) {
                if (!allowed.contains(used.getKey())) {
                    wrong.add(e.getKey() + " → " + used.getKey() + " in " + used.getValue());
                }
            }
        }
        assertEquals(List.of(), wrong);
    }
}
