package jbox.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * x86_64 system call numbers by name, from the resource jbox/seccomp/syscalls-x86_64.txt that
 * scripts/gen-syscalls.sh generates from the kernel headers ("name number" lines, '#' comments).
 * Read on first use only, as plain text: it is on the start path of every confined container.
 */
public final class SyscallTable {
    static final String RESOURCE = "/jbox/seccomp/syscalls-x86_64.txt";

    private final Map<String, Integer> numbers;

    private SyscallTable(Map<String, Integer> numbers) {
        this.numbers = numbers;
    }

    /** The table of the only architecture jbox compiles filters for. */
    public static SyscallTable x86_64() {
        return X86_64.TABLE;
    }

    /** The number of {@code name}, or -1 if the table does not know it. */
    public int number(String name) {
        Integer n = numbers.get(name);
        return n == null ? -1 : n;
    }

    /** The name of syscall {@code nr}, or "syscall_NR" if the table does not know it. */
    public String name(int nr) {
        for (Map.Entry<String, Integer> e : numbers.entrySet()) {
            if (e.getValue() == nr) {
                return e.getKey();
            }
        }
        return "syscall_" + nr;
    }

    /** The highest syscall number the table knows. */
    public int highest() {
        int max = -1;
        for (int n : numbers.values()) {
            max = Math.max(max, n);
        }
        return max;
    }

    public int size() {
        return numbers.size();
    }

    /**
     * Parses the table's text; exposed for tests. Scans by hand (no split, no regex): this runs in
     * the interpreter on every start, where each avoided allocation shows.
     */
    static SyscallTable parse(String text) {
        Map<String, Integer> numbers = new HashMap<>(1024);
        int lineNo = 0;
        for (int at = 0, end; at < text.length(); at = end + 1) {
            lineNo++;
            end = text.indexOf('\n', at);
            if (end < 0) {
                end = text.length();
            }
            if (end == at || text.charAt(at) == '#') {
                continue;
            }
            int space = text.indexOf(' ', at);
            int nr = space > at && space < end - 1 ? digits(text, space + 1, end) : -1;
            if (nr < 0 || numbers.put(text.substring(at, space), nr) != null) {
                // The table ships in the jar: a bad line is a build error, not a user's.
                throw new IllegalStateException(RESOURCE + " line " + lineNo + ": expected a new 'name number', got '"
                        + text.substring(at, end) + "'");
            }
        }
        return new SyscallTable(Collections.unmodifiableMap(numbers));
    }

    /** The decimal number in text[from, to), or -1 if it is not one. */
    private static int digits(String text, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9' || n > 100_000) {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Holder idiom: the resource is read when x86_64() is first called, once, thread-safely. */
    private static final class X86_64 {
        static final SyscallTable TABLE = load();

        private static SyscallTable load() {
            try (InputStream in = SyscallTable.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " is missing from the jar");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read resource " + RESOURCE, e);
            }
        }
    }
}
