// `-u USER[:GROUP]` and `--group-add` resolved in the image's own /etc/passwd and /etc/group, as runc's GetExecUser does.
package jbox.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;

/**
 * Names are looked up in the image (its files resolved inside its root, never following a link
 * out of it), not on the host. docker's rules: a name must exist; a numeric id need not (a uid
 * without an entry gets jbox's gid = uid, where docker gives 0); without GROUP the primary group
 * is the passwd entry's and the supplementary groups are those of /etc/group that list the user;
 * with GROUP there are none but --group-add's. HOME is the entry's home (root without one:
 * /root; anyone else: /).
 */
final class ImageAccounts {
    /** The user and its home directory (null: none from passwd). */
    record Resolved(ContainerSpec.User user, String home) {
    }

    private final Path rootfs;
    private List<String[]> passwd;
    private List<String[]> group;

    ImageAccounts(Path rootfs) {
        this.rootfs = rootfs;
    }

    static boolean numeric(String s) {
        return s.matches("\\d{1,9}");
    }

    Resolved resolve(String spec, List<String> groupAdd) throws JboxException {
        String user = spec == null || spec.isEmpty() ? "0" : spec;
        String[] parts = user.split(":", -1);
        if (parts.length > 2 || !validName(parts[0]) || (parts.length == 2 && !validName(parts[1]))) {
            throw new JboxException("invalid user " + spec + ": expected USER[:GROUP] (ids or names of the image's /etc/passwd and /etc/group)");
        }
        String[] entry = numeric(parts[0]) ? find(passwd(), 2, parts[0]) : find(passwd(), 0, parts[0]);
        if (entry == null && parts[0].equals("root")) {
            entry = new String[] {"root", "x", "0", "0", "root", "/root", ""}; // an image without passwd still has root
        }
        if (entry == null && !numeric(parts[0])) {
            throw new JboxException("unable to find user " + parts[0] + ": no matching entries in the image's /etc/passwd");
        }
        long uid = numeric(parts[0]) ? Long.parseLong(parts[0]) : id(entry[2], "/etc/passwd", parts[0]);
        long gid;
        Set<Long> additional = new LinkedHashSet<>();
        if (parts.length == 2) {
            gid = groupId(parts[1]);
        } else if (entry != null) {
            gid = id(entry[3], "/etc/passwd", parts[0]);
            for (String[] g : group()) {
                if (g.length >= 4 && List.of(g[3].split(",")).contains(entry[0]) && numeric(g[2])) {
                    additional.add(Long.parseLong(g[2]));
                }
            }
        } else {
            gid = uid;
        }
        for (String g : groupAdd == null ? List.<String>of() : groupAdd) {
            additional.add(groupId(g));
        }
        String home = entry != null && !entry[5].isEmpty() ? entry[5] : uid == 0 ? "/root" : "/";
        return new Resolved(new ContainerSpec.User(uid, gid, additional.isEmpty() ? null : List.copyOf(additional)), home);
    }

    private long groupId(String g) throws JboxException {
        if (numeric(g)) {
            return Long.parseLong(g);
        }
        if (!validName(g)) {
            throw new JboxException("invalid group " + g + ": expected an id or a name of the image's /etc/group");
        }
        String[] e = find(group(), 0, g);
        if (e == null) {
            throw new JboxException("unable to find group " + g + ": no matching entries in the image's /etc/group");
        }
        return id(e[2], "/etc/group", g);
    }

    /** An id, or a name as passwd(5) allows it: no colon, no space, not starting with '-'. */
    private static boolean validName(String s) {
        if (s.matches("\\d+")) {
            return numeric(s);
        }
        return s.matches("[A-Za-z0-9_.][A-Za-z0-9_.@-]{0,254}\\$?");
    }

    private static long id(String field, String file, String name) throws JboxException {
        if (!numeric(field)) {
            throw new JboxException("the image's " + file + " has an invalid id \"" + field + "\" for " + name);
        }
        return Long.parseLong(field);
    }

    private List<String[]> passwd() throws JboxException {
        if (passwd == null) {
            passwd = read("/etc/passwd", 7);
        }
        return passwd;
    }

    private List<String[]> group() throws JboxException {
        if (group == null) {
            group = read("/etc/group", 4);
        }
        return group;
    }

    private static String[] find(List<String[]> entries, int field, String value) {
        for (String[] e : entries) {
            if (e[field].equals(value)) {
                return e;
            }
        }
        return null;
    }

    /** The file's entries with at least {@code fields} fields (shorter lines and comments are skipped); none if absent. */
    private List<String[]> read(String file, int fields) throws JboxException {
        List<String[]> out = new ArrayList<>();
        Path host;
        try {
            host = new InRootResolver(rootfs).onHost(ContainerPath.of(file));
            if (!Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
                return out;
            }
            for (String line : Files.readAllLines(host, StandardCharsets.UTF_8)) {
                String[] f = line.split(":", -1);
                if (f.length >= fields && !line.startsWith("#")) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot read the image's " + file + " in " + rootfs + ": " + IoReason.of(e), e);
        }
        return out;
    }
}
