// Turns an image config's User ("nobody", "app:staff", "1000") into the numeric UID[:GID] that `jbox run` takes.
package jbox.image;

import jbox.rootfs.ContainerPath;
import jbox.rootfs.InRootResolver;
import jbox.rootfs.LayerStack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Names are looked up once, at import, in the image's own /etc/passwd and /etc/group (resolved
 * inside the rootfs). A name the image does not define is kept as written, so `jbox run` reports
 * it rather than the import guessing.
 */
final class ImageUser {

    private ImageUser() {
    }

    static String numeric(String user, LayerStack rootfs) {
        if (user.isEmpty()) {
            return user;
        }
        String[] parts = user.split(":", 2);
        String uid = parts[0];
        String gid = parts.length == 2 ? parts[1] : null;
        if (!isNumber(uid)) {
            String[] passwd = find(rootfs, "/etc/passwd", uid);
            if (passwd == null || passwd.length < 4) {
                return user;
            }
            uid = passwd[2];
            if (gid == null) {
                gid = passwd[3];
            }
        }
        if (gid != null && !isNumber(gid)) {
            String[] group = find(rootfs, "/etc/group", gid);
            if (group == null || group.length < 3) {
                return user;
            }
            gid = group[2];
        }
        return gid == null ? uid : uid + ":" + gid;
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
    }

    /** The colon-separated fields of the line whose first field is {@code name}, or null. */
    private static String[] find(LayerStack rootfs, String file, String name) {
        try {
            Path host = new InRootResolver(rootfs).onHost(ContainerPath.of(file));
            if (!Files.isRegularFile(host, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            List<String> lines = Files.readAllLines(host, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] fields = line.split(":", -1);
                if (fields[0].equals(name)) {
                    return fields;
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: leave the name for `jbox run` to refuse
        }
    }
}
