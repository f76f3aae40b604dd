package jbox.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.spec.PortMapping;

/**
 * The iptables rules of published ports, added in one iptables-restore --noflush (one process,
 * applied as a whole or not at all) and found again by their tag (jbox:ID12) in iptables-save.
 *
 * Per port: DNAT in nat PREROUTING (traffic arriving from elsewhere) and nat OUTPUT (the host's
 * own processes, which never pass PREROUTING), both for `--dst-type LOCAL` (every address of the
 * host, 127.0.0.1 included) or the given HOSTIP; an ACCEPT in FORWARD for hosts whose policy is
 * DROP. Loopback needs two more things, since a packet from 127.0.0.1 DNATed onto the bridge would
 * be dropped as a martian: route_localnet on this bridge only (not conf.all, which would let every
 * interface route 127/8, cf. CVE-2020-8558), and a MASQUERADE of 127.0.0.0/8 towards the container
 * so it answers the bridge address instead of its own loopback. Chosen over a userland proxy: no
 * process per port to keep alive past a detached jbox, and the container sees real client
 * addresses for non-loopback traffic.
 */
final class PortRules {
    /** A container's tag; bridges' tags (jbox:jbox0, jbox:jbn-x) never have this shape. */
    private static final Pattern TAG = Pattern.compile("--comment \"?jbox:([0-9a-f]{12})\"?(\\s|$)");

    private PortRules() {
    }

    static String tag(String id) {
        return "jbox:" + id.substring(0, 12);
    }

    /** The rules' iptables-restore text (also what tests compare against). */
    static String rules(String id, String bridge, String address, List<PortMapping> ports) {
        String tag = " -m comment --comment " + tag(id);
        StringBuilder nat = new StringBuilder("*nat\n");
        StringBuilder filter = new StringBuilder("*filter\n");
        for (PortMapping p : ports) {
            String to = address + ":" + p.containerPort();
            String dst = p.hostIp() == null ? "-m addrtype --dst-type LOCAL" : "-d " + p.hostIp() + "/32";
            String proto = " -p " + p.protocol() + " -m " + p.protocol();
            nat.append("-A PREROUTING ").append(dst).append(proto).append(" --dport ").append(p.hostPort()).append(tag)
                    .append(" -j DNAT --to-destination ").append(to).append('\n');
            nat.append("-A OUTPUT ").append(dst).append(proto).append(" --dport ").append(p.hostPort()).append(tag)
                    .append(" -j DNAT --to-destination ").append(to).append('\n');
            nat.append("-A POSTROUTING -s 127.0.0.0/8 -d ").append(address).append("/32 -o ").append(bridge).append(proto)
                    .append(" --dport ").append(p.containerPort()).append(tag).append(" -j MASQUERADE\n");
            filter.append("-I FORWARD 1 -d ").append(address).append("/32 -o ").append(bridge).append(proto)
                    .append(" --dport ").append(p.containerPort()).append(tag).append(" -j ACCEPT\n");
        }
        return nat.append("COMMIT\n").append(filter).append("COMMIT\n").toString();
    }

    static void add(String id, String bridge, String address, List<PortMapping> ports) throws JboxException {
        routeLocalnet(bridge);
        Command.Result r = Command.run(List.of("iptables-restore", "--noflush"), rules(id, bridge, address, ports));
        if (!r.ok()) {
            throw new JboxException("cannot add the port rules of container " + id.substring(0, 12) + ": " + r.firstError());
        }
    }

    /** Lets the bridge carry packets from 127/8 (loopback clients of published ports). Per namespace, per bridge. */
    private static void routeLocalnet(String bridge) throws JboxException {
        Path f = Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
        try {
            if (!ProcFile.read(f).trim().equals("1")) {
                Files.writeString(f, "1\n");
            }
        } catch (IOException e) {
            throw new JboxException("cannot enable route_localnet on bridge " + bridge + " (" + f + "): " + e.getMessage(), e);
        }
    }

    /**
     * Deletes every rule whose tag is a container id prefix {@code dead} accepts; returns how many.
     * With no iptables installed there can be no rules: 0.
     */
    static int removeContainers(Predicate<String> dead) throws JboxException {
        return remove(line -> {
            Matcher m = TAG.matcher(line);
            return m.find() && dead.test(m.group(1));
        });
    }

    /** Deletes every rule carrying exactly this tag (a network's bridge: jbox:jbn-NAME). */
    static int removeTagged(String tag) throws JboxException {
        Pattern p = Pattern.compile("--comment \"?" + Pattern.quote(tag) + "\"?(\\s|$)");
        return remove(line -> p.matcher(line).find());
    }

    private static int remove(Predicate<String> match) throws JboxException {
        String saved;
        try {
            saved = Command.output(List.of("iptables-save"));
        } catch (JboxException e) {
            return 0; // no iptables: nothing of ours can exist
        }
        if (saved == null) {
            throw new JboxException("cannot list the iptables rules (iptables-save failed)");
        }
        StringBuilder restore = new StringBuilder();
        StringBuilder table = null;
        int count = 0;
        for (String line : saved.split("\n")) {
            if (line.startsWith("*")) {
                table = new StringBuilder(line).append('\n');
            } else if (line.equals("COMMIT") && table != null) {
                if (table.indexOf("\n-D ") >= 0) {
                    restore.append(table).append("COMMIT\n");
                }
                table = null;
            } else if (table != null && line.startsWith("-A ") && match.test(line)) {
                // iptables-restore reads the rule back as iptables-save wrote it, quoting included.
                table.append("-D ").append(line.substring(3)).append('\n');
                count++;
            }
        }
        if (count > 0) {
            Command.Result r = Command.run(List.of("iptables-restore", "--noflush"), restore.toString());
            if (!r.ok()) {
                throw new JboxException("cannot remove " + count + " iptables rules of jbox: " + r.firstError());
            }
        }
        return count;
    }
}
