package jbox.network;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.ProcFile;

/**
 * Host settings on jbox's bridges (the configured one and every jbn-*) in this network namespace
 * that reopen what jbox closes, for `jbox doctor`: route_localnet without the loopback guard of
 * {@link PortRules} (containers with a raw socket reach the host's 127.0.0.1, CVE-2020-8558), and
 * IPv6 or router advertisements on a bridge (a container becomes the host's IPv6 router,
 * CVE-2020-13401). Another tool or an older jbox may have left either.
 */
public final class BridgeHazards {
    /** What is wrong, and the command that fixes it. */
    public record Hazard(String what, String fix) {
    }

    private BridgeHazards() {
    }

    public static List<Hazard> find(String configuredBridge) throws JboxException {
        List<Hazard> out = new ArrayList<>();
        if ("1".equals(read(Path.of("/proc/sys/net/ipv4/conf/all/route_localnet")))) {
            out.add(new Hazard("net.ipv4.conf.all.route_localnet=1 (every interface routes 127/8, CVE-2020-8558)",
                    "sysctl -w net.ipv4.conf.all.route_localnet=0"));
        }
        String saved = null;
        for (String bridge : Links.names()) {
            if (!bridge.equals(configuredBridge) && !bridge.startsWith(UserNetworks.BRIDGE_PREFIX)) {
                continue;
            }
            if ("1".equals(read(PortRules.routeLocalnetFile(bridge)))) {
                if (saved == null) {
                    String s = Command.output(List.of("iptables-save", "-t", "filter"));
                    saved = s == null ? "" : s.replace("\"", "");
                }
                if (!saved.contains("-A INPUT " + PortRules.guard(bridge))) {
                    out.add(new Hazard("route_localnet=1 on bridge " + bridge + " without jbox's loopback guard in INPUT"
                            + " (containers reach the host's 127.0.0.1, CVE-2020-8558)",
                            "sysctl -w net.ipv4.conf." + bridge + ".route_localnet=0 (published ports set it again, guarded)"));
                }
            }
            for (String[] kv : Bridge.IPV6_OFF) {
                String value = read(Path.of("/proc/sys/net/ipv6/conf", bridge, kv[0]));
                if (value != null && !value.equals(kv[1])) {
                    out.add(new Hazard(kv[0] + "=" + value + " on bridge " + bridge
                            + " (a container's router advertisements reach the host, CVE-2020-13401)",
                            "sysctl -w net.ipv6.conf." + bridge + "." + kv[0] + "=" + kv[1] + " (the next bridged run does it too)"));
                }
            }
        }
        return out;
    }

    /** The setting, or null where it does not exist (no such bridge, no IPv6 in the kernel). */
    private static String read(Path f) {
        try {
            return ProcFile.read(f).trim();
        } catch (IOException e) {
            return null;
        }
    }
}
