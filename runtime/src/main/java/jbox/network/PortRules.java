package jbox.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.io.IoReason;
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
 * interface route 127/8), and a MASQUERADE of 127.0.0.0/8 towards the container so it answers the
 * bridge address instead of its own loopback. Chosen over a userland proxy: no process per port
 * to keep alive past a detached jbox, and the container sees real client addresses for
 * non-loopback traffic.
 *
 * route_localnet also lets a container with a raw socket reach services bound to the host's
 * 127.0.0.1 through the bridge (CVE-2020-8558). So, as kube-proxy does, it is only ever on with a
 * guard in filter INPUT that drops traffic to 127.0.0.0/8 not arriving on lo unless it belongs to
 * a connection the host made or DNATed (the loopback clients' replies); tagged jbox:BRIDGE, so
 * `network rm` takes it along. Both go again once no container publishes a loopback-reachable
 * port on that bridge. Callers hold PortLeases' lock, so adding and removing never interleave.
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

    /** The loopback guard of a bridge (see above), as iptables-save prints it after "-A INPUT ". */
    static String guard(String bridge) {
        return "-d 127.0.0.0/8 ! -i lo -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment jbox:" + bridge
                + " -j DROP";
    }

    /** Called with PortLeases' lock held: the guard goes in before route_localnet is turned on. */
    static void add(String id, String bridge, String address, List<PortMapping> ports) throws JboxException {
        String text = rules(id, bridge, address, ports);
        List<String> check = new ArrayList<>(List.of("iptables", "-w", "-C", "INPUT"));
        check.addAll(List.of(guard(bridge).split(" ")));
        if (!Command.run(check, null).ok()) {
            text = text.replace("*filter\n", "*filter\n-I INPUT 1 " + guard(bridge) + "\n");
        }
        Command.Result r = Command.run(List.of("iptables-restore", "--noflush"), text);
        if (!r.ok()) {
            throw new JboxException("cannot add the port rules of container " + id.substring(0, 12) + ": " + r.firstError());
        }
        routeLocalnet(bridge, true);
    }

    /** Lets the bridge carry packets from 127/8 (loopback clients of published ports), or stops it. Per namespace, per bridge. */
    private static void routeLocalnet(String bridge, boolean on) throws JboxException {
        Path f = routeLocalnetFile(bridge);
        String want = on ? "1" : "0";
        try {
            if (!ProcFile.read(f).trim().equals(want)) {
                Files.writeString(f, want + "\n");
            }
        } catch (NoSuchFileException e) {
            if (on) {
                throw new JboxException("cannot enable route_localnet on bridge " + bridge + ": no " + f, e);
            } // a bridge that is gone routes nothing
        } catch (IOException e) {
            throw new JboxException("cannot " + (on ? "enable" : "reset") + " route_localnet on bridge " + bridge + " (" + f + "): "
                    + IoReason.of(e), e);
        }
    }

    static Path routeLocalnetFile(String bridge) {
        return Path.of("/proc/sys/net/ipv4/conf", bridge, "route_localnet");
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

    /** A container's loopback MASQUERADE: the bridge it names needs route_localnet (group 1). */
    private static final Pattern LOOPBACK_USER = Pattern.compile("^-A POSTROUTING -s 127\\.0\\.0\\.0/8 .*-o (\\S+) ");

    /**
     * Removes the matching rules; then, for every bridge no remaining container rule needs
     * route_localnet on, its loopback guard, and resets route_localnet there (after the rules
     * that used it are gone).
     */
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
        Set<String> needed = new HashSet<>();
        Set<String> released = new HashSet<>();
        for (String line : saved.split("\n")) {
            Matcher m = LOOPBACK_USER.matcher(line);
            if (m.find() && TAG.matcher(line).find()) {
                (match.test(line) ? released : needed).add(m.group(1));
            }
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
            } else if (table != null && line.startsWith("-A ") && (match.test(line) || unneededGuard(line, needed, released))) {
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
        for (String bridge : released) {
            if (!needed.contains(bridge)) {
                routeLocalnet(bridge, false);
            }
        }
        return count;
    }

    /** A bridge's loopback guard that no container needs any more (noted in {@code released} for the reset). */
    private static boolean unneededGuard(String line, Set<String> needed, Set<String> released) {
        if (!line.startsWith("-A INPUT -d 127.0.0.0/8 ")) {
            return false;
        }
        Matcher m = Pattern.compile("--comment \"?jbox:([^\\s\"]+)\"? -j DROP$").matcher(line);
        if (!m.find() || needed.contains(m.group(1)) || TAG.matcher(line).find()) {
            return false;
        }
        released.add(m.group(1));
        return true;
    }
}
