package jbox.network;

import java.nio.file.Path;
import jbox.JboxException;
import jbox.config.Config;
import jbox.io.IoReason;

/**
 * The bridge containers attach to, as configured (net.bridge.*): its name, its subnet (the
 * bridge has the first address, containers the rest) and the MTU it is created with. Leases and
 * locks live under state.root. A user-defined network's bridge also names the default bridge
 * ({@code isolateFrom}), which it is kept apart from along with every other network's.
 */
public record BridgeSettings(String name, Ipv4Subnet subnet, int mtu, Path stateRoot, String isolateFrom) {
    public BridgeSettings(String name, Ipv4Subnet subnet, int mtu, Path stateRoot) {
        this(name, subnet, mtu, stateRoot, null);
    }

    public static BridgeSettings from(Config config) throws JboxException {
        return of(config.get("net.bridge.name"), config.get("net.bridge.subnet"), config.get("net.bridge.mtu"),
                config.stateRoot());
    }

    static BridgeSettings of(String name, String subnet, String mtu, Path stateRoot) throws JboxException {
        // Interface names are at most 15 bytes (IFNAMSIZ - 1); keep to characters ip(8) never misreads.
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}") || name.startsWith(VethNames.HOST_PREFIX)) {
            throw new JboxException("invalid net.bridge.name " + name + ": use 1-15 letters, digits, '_', '.', '-' (not starting with "
                    + VethNames.HOST_PREFIX + ")");
        }
        int m;
        try {
            m = Integer.parseInt(mtu);
        } catch (NumberFormatException e) {
            throw new JboxException("invalid net.bridge.mtu " + mtu + ": not a number");
        }
        if (m < 576 || m > 65535) {
            throw new JboxException("invalid net.bridge.mtu " + mtu + ": use 576 to 65535");
        }
        try {
            return new BridgeSettings(name, Ipv4Subnet.parse(subnet), m, stateRoot);
        } catch (JboxException e) {
            throw new JboxException("net.bridge.subnet: " + IoReason.of(e), e);
        }
    }

    public Ipam ipam() {
        return Ipam.forBridge(stateRoot, name);
    }

    /** The tag on every iptables rule made for this bridge, so it can be found and removed. */
    String ruleComment() {
        return "jbox:" + name;
    }
}
