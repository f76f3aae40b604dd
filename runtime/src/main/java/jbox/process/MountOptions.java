package jbox.process;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import jbox.JboxException;

/**
 * OCI mount options ("nosuid", "ro", "rbind", "mode=755") split into mount(2) flags and the
 * filesystem's data string, as the kernel wants them. A bare word that is neither a flag, a
 * propagation nor a known filesystem option is an error: a misspelt "nosiud" must not become data
 * the kernel may ignore. "tmpcopyup" (podman, crun) asks for a tmpfs filled with the image's files.
 */
public record MountOptions(long flags, long propagation, String data, boolean tmpcopyup, Idmap idmap) {
    /** OCI's "idmap" (the mount alone) and "ridmap" (and the mounts below it), with the container's user namespace. */
    public enum Idmap { NONE, IDMAP, RIDMAP }

    public MountOptions(long flags, long propagation, String data) {
        this(flags, propagation, data, false, Idmap.NONE);
    }

    public MountOptions(long flags, long propagation, String data, boolean tmpcopyup) {
        this(flags, propagation, data, tmpcopyup, Idmap.NONE);
    }

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_SYNCHRONOUS = 16;
    public static final long MS_REMOUNT = 32;
    public static final long MS_DIRSYNC = 128;
    public static final long MS_NOATIME = 1024;
    public static final long MS_NOSYMFOLLOW = 256;
    public static final long MS_NODIRATIME = 2048;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_UNBINDABLE = 1L << 17;
    public static final long MS_PRIVATE = 1L << 18;
    public static final long MS_SLAVE = 1L << 19;
    public static final long MS_SHARED = 1L << 20;
    public static final long MS_RELATIME = 1L << 21;
    public static final long MS_STRICTATIME = 1L << 24;

    /** mount_setattr(2): apply to every mount below too, and the MOUNT_ATTR_* bits jbox sets. */
    public static final long AT_RECURSIVE = 0x8000;
    public static final long MOUNT_ATTR_RDONLY = 1;
    public static final long MOUNT_ATTR_NOSUID = 2;
    public static final long MOUNT_ATTR_NODEV = 4;
    public static final long MOUNT_ATTR_NOEXEC = 8;

    /** The MOUNT_ATTR_* bits for mount(2) flags' ro, nosuid, nodev and noexec (the same values). */
    public static long mountAttrs(long flags) {
        return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    }

    /** Option name → {flags to set, flags to clear}. */
    private static final Map<String, long[]> FLAGS = Map.ofEntries(
            Map.entry("ro", new long[] {MS_RDONLY, 0}),
            Map.entry("rw", new long[] {0, MS_RDONLY}),
            Map.entry("nosuid", new long[] {MS_NOSUID, 0}),
            Map.entry("suid", new long[] {0, MS_NOSUID}),
            Map.entry("nodev", new long[] {MS_NODEV, 0}),
            Map.entry("dev", new long[] {0, MS_NODEV}),
            Map.entry("noexec", new long[] {MS_NOEXEC, 0}),
            Map.entry("exec", new long[] {0, MS_NOEXEC}),
            Map.entry("sync", new long[] {MS_SYNCHRONOUS, 0}),
            Map.entry("async", new long[] {0, MS_SYNCHRONOUS}),
            Map.entry("dirsync", new long[] {MS_DIRSYNC, 0}),
            Map.entry("remount", new long[] {MS_REMOUNT, 0}),
            Map.entry("bind", new long[] {MS_BIND, 0}),
            Map.entry("rbind", new long[] {MS_BIND | MS_REC, 0}),
            Map.entry("noatime", new long[] {MS_NOATIME, 0}),
            Map.entry("atime", new long[] {0, MS_NOATIME}),
            Map.entry("nodiratime", new long[] {MS_NODIRATIME, 0}),
            Map.entry("diratime", new long[] {0, MS_NODIRATIME}),
            Map.entry("relatime", new long[] {MS_RELATIME, 0}),
            Map.entry("norelatime", new long[] {0, MS_RELATIME}),
            Map.entry("strictatime", new long[] {MS_STRICTATIME, 0}),
            Map.entry("nosymfollow", new long[] {MS_NOSYMFOLLOW, 0}),
            Map.entry("symfollow", new long[] {0, MS_NOSYMFOLLOW}),
            Map.entry("nostrictatime", new long[] {0, MS_STRICTATIME}));

    private static final Map<String, Long> PROPAGATION = Map.of(
            "private", MS_PRIVATE, "rprivate", MS_PRIVATE | MS_REC,
            "slave", MS_SLAVE, "rslave", MS_SLAVE | MS_REC,
            "shared", MS_SHARED, "rshared", MS_SHARED | MS_REC,
            "unbindable", MS_UNBINDABLE, "runbindable", MS_UNBINDABLE | MS_REC);

    /** Filesystem options without a value that go to the data string as they are. */
    private static final Set<String> DATA_WORDS = Set.of("newinstance", "userxattr", "acl", "noacl",
            "user_xattr", "nouser_xattr", "xino=off", "index=off");

    /** runc's recursive mount_setattr options: not implemented. */
    private static final Set<String> UNSUPPORTED = Set.of("rro", "rrw", "rnosuid", "rsuid", "rnodev", "rdev",
            "rnoexec", "rexec", "rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime", "ratime",
            "rstrictatime", "rnostrictatime", "rnosymfollow", "rsymfollow");

    public static MountOptions parse(List<String> options) throws JboxException {
        long flags = 0;
        long propagation = 0;
        boolean tmpcopyup = false;
        Idmap idmap = Idmap.NONE;
        StringBuilder data = new StringBuilder();
        for (String o : options == null ? List.<String>of() : options) {
            long[] f = FLAGS.get(o);
            Long p = PROPAGATION.get(o);
            if (f != null) {
                flags = (flags | f[0]) & ~f[1];
            } else if (p != null) {
                propagation |= p;
            } else if (o.equals("tmpcopyup")) {
                tmpcopyup = true;
            } else if (o.equals("notmpcopyup")) {
                tmpcopyup = false;
            } else if (o.equals("idmap") || o.equals("ridmap")) {
                idmap = o.equals("idmap") ? Idmap.IDMAP : Idmap.RIDMAP;
            } else if (UNSUPPORTED.contains(o)) {
                throw new JboxException("mount option " + o + " is not supported by jbox");
            } else if (o.indexOf('=') > 0 || DATA_WORDS.contains(o)) {
                data.append(data.length() == 0 ? "" : ",").append(o);
            } else {
                throw new JboxException("unknown mount option " + o + " (not a mount flag, a propagation or key=value)");
            }
        }
        return new MountOptions(flags, propagation, data.toString(), tmpcopyup, idmap);
    }

    /** Every option name parse() accepts without "=" (for `jbox features`), sorted. */
    public static List<String> known() {
        TreeSet<String> names = new TreeSet<>(FLAGS.keySet());
        names.addAll(PROPAGATION.keySet());
        names.addAll(DATA_WORDS.stream().filter(w -> !w.contains("=")).toList());
        names.add("tmpcopyup");
        names.add("notmpcopyup");
        names.add("idmap");
        names.add("ridmap");
        return List.copyOf(names);
    }

    /** The propagation flags an OCI name stands for ("rslave" → MS_SLAVE|MS_REC). */
    public static long propagation(String name) throws JboxException {
        Long p = PROPAGATION.get(name);
        if (p == null) {
            throw new JboxException("unknown mount propagation " + name);
        }
        return p;
    }

    public boolean isBind() {
        return (flags & MS_BIND) != 0;
    }
}
