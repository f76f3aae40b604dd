package jbox.security;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jbox.JboxException;

/**
 * Linux capability names and numbers (linux/capability.h), and docker's --cap-add/--cap-drop
 * arithmetic on top of the default set from the config.
 */
public final class Capabilities {
    /** Index = capability number. */
    static final List<String> NAMES = List.of(
            "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
            "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
            "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
            "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
            "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
            "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    private Capabilities() {
    }

    /** "net_raw", "NET_RAW" and "CAP_NET_RAW" all name CAP_NET_RAW; "ALL" stays "ALL". */
    static String canonical(String name) throws JboxException {
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.equals("ALL")) {
            return n;
        }
        if (!n.startsWith("CAP_")) {
            n = "CAP_" + n;
        }
        if (!NAMES.contains(n)) {
            throw new JboxException("unknown capability " + name + " (see capabilities(7))");
        }
        return n;
    }

    /**
     * docker's rules: start from the defaults; --cap-drop ALL empties the set, other drops remove;
     * --cap-add ALL gives every capability, other adds add. Drops win over adds of the same name.
     */
    public static List<String> resolve(List<String> defaults, List<String> add, List<String> drop) throws JboxException {
        Set<String> adds = canonicalSet(add);
        Set<String> drops = canonicalSet(drop);
        Set<String> caps = new LinkedHashSet<>();
        if (!drops.contains("ALL")) {
            caps.addAll(canonicalSet(defaults));
        }
        if (adds.contains("ALL")) {
            caps.addAll(NAMES);
        } else {
            caps.addAll(adds);
        }
        caps.removeAll(drops);
        List<String> out = new ArrayList<>(caps);
        out.sort((a, b) -> NAMES.indexOf(a) - NAMES.indexOf(b));
        return out;
    }

    private static Set<String> canonicalSet(List<String> names) throws JboxException {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names == null ? List.<String>of() : names) {
            for (String part : n.split(",")) {
                if (!part.isBlank()) {
                    out.add(canonical(part));
                }
            }
        }
        return out;
    }

    /** How many capabilities jbox knows by name. */
    public static int count() {
        return NAMES.size();
    }

    /** The name of capability number {@code n} ("CAP_CHOWN" for 0). */
    public static String name(int n) {
        return NAMES.get(n);
    }

    /** Bit N set for capability number N. */
    public static long mask(List<String> names) throws JboxException {
        long m = 0;
        for (String n : names == null ? List.<String>of() : names) {
            m |= 1L << NAMES.indexOf(canonical(n));
        }
        return m;
    }
}
