package jbox.cgroup;

import java.util.regex.Pattern;
import jbox.JboxException;

/** The rule for a parent or container id: one path component, so it cannot reach another cgroup. */
public final class CgroupName {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

    private CgroupName() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    static void check(String what, String name) throws JboxException {
        if (!isValid(name)) {
            throw new JboxException("invalid cgroup " + what + " \"" + name
                    + "\": expected letters, digits, '_', '.' or '-' (not first), at most 128");
        }
    }
}
