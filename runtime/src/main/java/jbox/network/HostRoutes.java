package jbox.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;

/**
 * The IPv4 routes of the namespace jbox runs in (/proc/net/route), so that a new network's subnet
 * is not one the host already reaches another way: a bridge on the host's own LAN subnet would
 * take that LAN's traffic (docker refuses the same overlap). The default route is not a subnet.
 */
final class HostRoutes {
    /** One route: the interface and the destination it covers. */
    record Route(String device, Ipv4Subnet destination) {
    }

    private HostRoutes() {
    }

    static List<Route> read() throws JboxException {
        Path file = Path.of("/proc/net/route");
        try {
            return parse(Files.readAllLines(file));
        } catch (IOException e) {
            throw new JboxException("cannot read the host's routes in " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The table's lines after its header: Iface, Destination, Gateway, Flags, RefCnt, Use, Metric,
     * Mask, ... with addresses in hex in the kernel's byte order (little-endian on every host jbox
     * runs on, so reversed here).
     */
    static List<Route> parse(List<String> lines) throws JboxException {
        List<Route> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            int mask;
            int dest;
            try {
                dest = Integer.reverseBytes(Integer.parseUnsignedInt(f[1], 16));
                mask = Integer.reverseBytes(Integer.parseUnsignedInt(f[7], 16));
            } catch (NumberFormatException e) {
                throw new JboxException("cannot read the host's routes: bad line " + lines.get(i).trim());
            }
            int prefix = Integer.bitCount(mask);
            if (prefix == 0) {
                continue; // the default route covers everything and is no LAN
            }
            out.add(new Route(f[0], new Ipv4Subnet(dest & mask, prefix)));
        }
        return out;
    }

    /** The first route that shares addresses with {@code subnet}, or null. */
    static Route overlapping(Ipv4Subnet subnet) throws JboxException {
        for (Route r : read()) {
            if (r.destination().overlaps(subnet)) {
                return r;
            }
        }
        return null;
    }
}
