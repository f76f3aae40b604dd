package jbox.network;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.io.IoReason;
import jbox.io.LockFile;

/**
 * The host bridge of bridge mode, made on first use and then left in place (like docker0): the
 * bridge itself with the subnet's first address, IPv4 forwarding, and NAT so containers reach what
 * the host reaches. These are changes to the network namespace jbox runs in, made once, under
 * state.root/bridge-NAME.lock so concurrent first runs make them once; every step checks before it
 * acts, so a run killed half-way is completed by the next one.
 */
final class Bridge {
    private Bridge() {
    }

    /** Makes sure the bridge is up with its address; returns its MTU (the containers' MTU). */
    static int ensure(BridgeSettings b) throws JboxException {
        Integer mtu = readyMtu(b);
        if (mtu != null) {
            ipv6Off(b.name()); // also on bridges an older jbox made
            return mtu;
        }
        Path lockFile = b.stateRoot().resolve("bridge-" + b.name() + ".lock");
        try {
            try (LockFile ignored = LockFile.acquire(lockFile)) {
                mtu = readyMtu(b);
                if (mtu != null) {
                    return mtu;
                }
                create(b);
                ipv6Off(b.name());
                mtu = readyMtu(b);
                if (mtu == null) {
                    throw new JboxException("bridge " + b.name() + " was set up but does not have address "
                            + Ipv4Subnet.format(b.subnet().gateway()));
                }
                return mtu;
            }
        } catch (IOException e) {
            throw new JboxException("cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }

    /**
     * The bridge's MTU when it has the gateway address, else null. The address is the last step
     * of {@link #create}, so having it means every earlier step is done too. Asked through ioctls
     * (NetworkInterface), which see the caller's network namespace; /sys may show another one when
     * jbox runs under nsenter. (Not isUp(): that also wants a carrier, which a bridge without
     * ports lacks.)
     */
    static Integer readyMtu(BridgeSettings b) throws JboxException {
        try {
            NetworkInterface ni = NetworkInterface.getByName(b.name());
            if (ni == null) {
                return null;
            }
            for (InterfaceAddress a : ni.getInterfaceAddresses()) {
                InetAddress ia = a.getAddress();
                if (ia.getAddress().length == 4 && toInt(ia.getAddress()) == b.subnet().gateway()) {
                    return ni.getMTU();
                }
            }
            return null;
        } catch (SocketException e) {
            throw new JboxException("cannot inspect interface " + b.name() + ": " + IoReason.of(e), e);
        }
    }

    private static int toInt(byte[] a) {
        return (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff);
    }

    private static void create(BridgeSettings b) throws JboxException {
        String subnet = b.subnet().toString();
        // NAT for traffic leaving through any other interface; forwarding allowed in both
        // directions for this bridge (a host with FORWARD policy DROP, e.g. where docker runs,
        // would drop it otherwise), replies only towards the containers.
        rule(b, "nat", "POSTROUTING", List.of("-s", subnet, "!", "-o", b.name(), "-j", "MASQUERADE"), false);
        rule(b, "filter", "FORWARD", List.of("-i", b.name(), "-j", "ACCEPT"), true);
        rule(b, "filter", "FORWARD", List.of("-o", b.name(), "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED",
                "-j", "ACCEPT"), true);
        isolate(b);
        enableForwarding();
        StringBuilder batch = new StringBuilder();
        if (!Links.names().contains(b.name())) {
            batch.append("link add ").append(b.name()).append(" mtu ").append(b.mtu()).append(" type bridge\n");
        }
        batch.append("link set ").append(b.name()).append(" up\n");
        batch.append("addr replace ").append(b.subnet().withPrefix(b.subnet().gateway())).append(" dev ").append(b.name()).append('\n');
        Command.Result r = Command.run(List.of("ip", "-batch", "-"), batch.toString());
        if (!r.ok()) {
            throw new JboxException("cannot create bridge " + b.name() + " (" + subnet + "): " + r.firstError());
        }
    }

    /**
     * Nothing is forwarded between this bridge and a user network's (jbn-*); a user network's
     * bridge also drops traffic to and from the default one it names. Every bridge adds these
     * for itself at the top of FORWARD when it is made, above its own ACCEPTs, so the order in
     * which bridges appear does not matter (a default bridge made before this existed is covered
     * by the networks' rules, which name it). The ACCEPT within a network's bridge goes on top,
     * for hosts where br_netfilter passes bridged frames through FORWARD too. Tagged with the
     * bridge, so `network rm` takes them along.
     */
    private static void isolate(BridgeSettings b) throws JboxException {
        String self = b.name();
        String networks = UserNetworks.BRIDGE_PREFIX + "+";
        List<String[]> drops = new ArrayList<>();
        drops.add(new String[] {self, networks});
        drops.add(new String[] {networks, self});
        if (b.isolateFrom() != null) {
            drops.add(new String[] {self, b.isolateFrom()});
            drops.add(new String[] {b.isolateFrom(), self});
        }
        for (String[] io : drops) {
            rule(b, "filter", "FORWARD", List.of("-i", io[0], "-o", io[1], "-j", "DROP"), true);
        }
        if (b.isolateFrom() != null) {
            rule(b, "filter", "FORWARD", List.of("-i", self, "-o", self, "-j", "ACCEPT"), true);
        }
    }

    /** Adds an iptables rule tagged with the bridge's comment unless it is there (iptables -C). */
    private static void rule(BridgeSettings b, String table, String chain, List<String> match, boolean first)
            throws JboxException {
        List<String> spec = new ArrayList<>(match);
        spec.addAll(List.of("-m", "comment", "--comment", b.ruleComment()));
        if (Command.run(iptables(table, "-C", chain, spec), null).ok()) {
            return;
        }
        List<String> add = first ? iptables(table, "-I", chain, List.of()) : iptables(table, "-A", chain, List.of());
        if (first) {
            add.add("1");
        }
        add.addAll(spec);
        Command.Result r = Command.run(add, null);
        if (!r.ok()) {
            throw new JboxException("cannot add the " + table + " rule for bridge " + b.name() + " ("
                    + String.join(" ", add.subList(1, add.size())) + "): " + r.firstError());
        }
    }

    private static List<String> iptables(String table, String op, String chain, List<String> rest) {
        // -w: wait for the xtables lock instead of failing when another iptables runs.
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-t", table, op, chain));
        cmd.addAll(rest);
        return cmd;
    }

    /**
     * jbox gives containers no IPv6, so the bridge takes none either: with IPv6 on and
     * accept_ra=1 (forwarding off), a container's router advertisements would give the host a
     * default route through that container and an address on the bridge (CVE-2020-13401).
     * Without IPv6 in the kernel there is nothing to turn off.
     */
    static void ipv6Off(String bridge) throws JboxException {
        Path conf = Path.of("/proc/sys/net/ipv6/conf", bridge);
        if (!Files.isDirectory(conf)) {
            return;
        }
        for (String[] kv : IPV6_OFF) {
            Path f = conf.resolve(kv[0]);
            try {
                if (!ProcFile.read(f).trim().equals(kv[1])) {
                    Files.writeString(f, kv[1] + "\n");
                }
            } catch (IOException e) {
                throw new JboxException("cannot set " + kv[0] + "=" + kv[1] + " on bridge " + bridge + " (" + f + "): "
                        + IoReason.of(e), e);
            }
        }
    }

    /** What {@link #ipv6Off} writes, in order (jbox doctor checks the same). */
    static final String[][] IPV6_OFF = {{"accept_ra", "0"}, {"disable_ipv6", "1"}};

    /** net.ipv4.ip_forward is per network namespace: this is the namespace jbox runs in. */
    private static void enableForwarding() throws JboxException {
        Path f = Path.of("/proc/sys/net/ipv4/ip_forward");
        try {
            if (!ProcFile.read(f).trim().equals("1")) {
                Files.writeString(f, "1\n");
            }
        } catch (IOException e) {
            throw new JboxException("cannot enable IPv4 forwarding (" + f + "): " + IoReason.of(e), e);
        }
    }
}
