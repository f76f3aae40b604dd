package jbox.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.io.LockFile;

/**
 * Container names on a jbox network (docker's user-defined networks): each member's /etc/hosts
 * lists every other member by the names its own /etc/hosts line gives (hostname, --name, short id),
 * below a marker line, rewritten whenever a member comes or goes (its lease is the membership).
 *
 * <p>Why /etc/hosts rather than a resolver: jbox has no daemon to run one per network (a detached
 * container's monitor is the C shim; the engine is optional), a resolver would need an address on
 * each bridge and DNS forwarding for everything else, and every libc (busybox and musl included)
 * reads /etc/hosts first. What it costs: a program that caches a lookup keeps the old answer, and a
 * container's own edits below the marker are overwritten.
 *
 * <p>The file is the state directory's hosts (EtcFiles writes it; STATE_ROOT/ID/hosts), bind-mounted
 * at /etc/hosts: it is rewritten in place (same inode: a rename would leave the bind on the old
 * file) under the network's lock, so two members coming at once cannot lose each other.
 */
public final class NetworkHosts {
    static final String MARKER = "# jbox network: the other containers on it, kept up to date by jbox";

    private NetworkHosts() {
    }

    private static Path hostsOf(Path stateRoot, String id) {
        return stateRoot.resolve(id).resolve("hosts");
    }

    /** A new member (its hosts file written, its lease taken): the marker into its file, then everyone's list. */
    static void join(Path stateRoot, String bridge, Ipam ipam, String id) throws JboxException {
        try (LockFile l = lock(stateRoot, bridge)) {
            Path own = hostsOf(stateRoot, id);
            String text = Files.readString(own);
            if (!text.contains(MARKER + "\n")) {
                rewrite(own, text + MARKER + "\n");
            }
            refreshLocked(stateRoot, ipam);
        } catch (IOException e) {
            throw new JboxException("cannot update /etc/hosts of the containers on network bridge " + bridge + ": "
                    + IoReason.of(e), e);
        }
    }

    /** After a member left (its lease released or reclaimed): the others' lists without it. */
    static void refresh(Path stateRoot, String bridge, Ipam ipam) throws JboxException {
        try (LockFile l = lock(stateRoot, bridge)) {
            refreshLocked(stateRoot, ipam);
        } catch (IOException e) {
            throw new JboxException("cannot update /etc/hosts of the containers on network bridge " + bridge + ": "
                    + IoReason.of(e), e);
        }
    }

    static Path lockFile(Path stateRoot, String bridge) {
        return stateRoot.resolve("hosts-" + bridge + ".lock");
    }

    private static LockFile lock(Path stateRoot, String bridge) throws IOException {
        return LockFile.acquire(lockFile(stateRoot, bridge));
    }

    private static void refreshLocked(Path stateRoot, Ipam ipam) throws JboxException, IOException {
        Map<String, String> head = new LinkedHashMap<>(); // member id -> its file up to the marker
        Map<String, String> line = new LinkedHashMap<>(); // member id -> its own line
        for (Ipam.Lease lease : ipam.leases()) {
            Path f = hostsOf(stateRoot, lease.id());
            String text;
            try {
                if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                text = Files.readString(f);
            } catch (NoSuchFileException gone) {
                continue; // removed meanwhile: it is leaving too
            }
            int at = text.indexOf(MARKER + "\n");
            if (at < 0) {
                continue; // the default bridge, or not joined yet: no names there (as docker's default bridge)
            }
            head.put(lease.id(), text.substring(0, at + MARKER.length() + 1));
            for (String l : text.substring(0, at).split("\n")) {
                if (l.startsWith(lease.address() + "\t")) {
                    line.put(lease.id(), l);
                }
            }
        }
        for (Map.Entry<String, String> member : head.entrySet()) {
            StringBuilder sb = new StringBuilder(member.getValue());
            for (Map.Entry<String, String> peer : line.entrySet()) {
                if (!peer.getKey().equals(member.getKey())) {
                    sb.append(peer.getValue()).append('\n');
                }
            }
            rewrite(hostsOf(stateRoot, member.getKey()), sb.toString());
        }
    }

    /** In place: truncate and write in one call, keeping the inode the container's bind mount holds. */
    private static void rewrite(Path file, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, List.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)
                .toArray(new OpenOption[0]))) {
            ch.truncate(0);
            ByteBuffer buf = ByteBuffer.wrap(b);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        } catch (NoSuchFileException gone) {
            // the member left while we looked: the next refresh is for it
        }
    }
}
