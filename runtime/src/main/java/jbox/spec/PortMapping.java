package jbox.spec;

import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;

/**
 * One published port, `-p [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]`: traffic to HOSTPORT on the
 * host's own addresses (or on HOSTIP only) goes to CONTAINERPORT of the container. Travels in the
 * spec as one annotation (its canonical forms, comma-separated) so the network reads it from the
 * model, like the mode. HOSTPORT 0 (`-p CPORT`, `-p IP::CPORT`, `-P`) asks for a free port,
 * chosen when the network claims it (PortLeases, which keeps the chosen one).
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    /** Parses one -p value; hostIp is null when not given (every local address). */
    public static PortMapping parse(String s) throws JboxException {
        String rest = s;
        String proto = "tcp";
        int slash = rest.lastIndexOf('/');
        if (slash >= 0) {
            proto = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
            if (!proto.equals("tcp") && !proto.equals("udp")) {
                throw new JboxException("invalid port mapping " + s + ": protocol must be tcp or udp");
            }
        }
        String[] parts = rest.split(":", -1);
        if (parts.length == 1) {
            return new PortMapping(null, 0, port(parts[0], s), proto); // docker's -p CPORT: any free host port
        }
        if (parts.length > 3) {
            throw new JboxException("invalid port mapping " + s + ": expected [[HOSTIP:]HOSTPORT:]CONTAINERPORT[/tcp|/udp]");
        }
        String ip = null;
        if (parts.length == 3) {
            ip = parts[0];
            if (!ip.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
                throw new JboxException("invalid port mapping " + s + ": host address " + ip + " is not an IPv4 address");
            }
        }
        String host = parts[parts.length - 2];
        return new PortMapping(ip, parts.length == 3 && host.isEmpty() ? 0 : port(host, s), port(parts[parts.length - 1], s), proto);
    }

    private static int port(String p, String s) throws JboxException {
        if (!p.matches("[0-9]{1,5}")) {
            throw new JboxException("invalid port mapping " + s + ": port " + (p.isEmpty() ? "(empty)" : p) + " is not a number");
        }
        int n = Integer.parseInt(p);
        if (n < 1 || n > 65535) {
            throw new JboxException("invalid port mapping " + s + ": port " + n + " is outside 1-65535");
        }
        return n;
    }

    /** Each value parsed; the same host port and protocol twice in one run is refused. */
    public static List<PortMapping> parseAll(List<String> values) throws JboxException {
        List<PortMapping> out = new ArrayList<>();
        for (String v : values) {
            PortMapping m = parse(v);
            for (PortMapping o : out) {
                if (o.conflicts(m)) {
                    throw new JboxException("port " + m.key() + " is published twice (" + o + " and " + m + ")");
                }
            }
            out.add(m);
        }
        return out;
    }

    /**
     * -P: every port the image exposes ("80/tcp", "53/udp", "8080") not published already, on a
     * free host port.
     */
    public static List<PortMapping> withExposed(List<PortMapping> given, List<String> exposed, String image)
            throws JboxException {
        List<PortMapping> out = new ArrayList<>(given);
        for (String e : exposed) {
            PortMapping m;
            try {
                m = parse(e);
            } catch (JboxException bad) {
                throw new JboxException("image " + image + " exposes an invalid port " + e, bad);
            }
            if (out.stream().noneMatch(p -> p.containerPort == m.containerPort && p.protocol.equals(m.protocol))) {
                out.add(m);
            }
        }
        return out;
    }

    /** This mapping with the host port the network chose for a 0. */
    public PortMapping onHostPort(int port) {
        return new PortMapping(hostIp, port, containerPort, protocol);
    }

    /** Two mappings want the same host port: same port and protocol, and their addresses overlap (none given = all). */
    public boolean conflicts(PortMapping o) {
        return hostPort != 0 && hostPort == o.hostPort && protocol.equals(o.protocol)
                && (hostIp == null || o.hostIp == null || hostIp.equals(o.hostIp));
    }

    /** "8080/tcp", as messages name a port. */
    public String key() {
        return hostPort + "/" + protocol;
    }

    /** The annotation's form of a list (empty string for none). */
    public static String format(List<PortMapping> ports) {
        StringBuilder sb = new StringBuilder();
        for (PortMapping p : ports) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(p);
        }
        return sb.toString();
    }

    /** The annotation read back (null or empty: none). */
    public static List<PortMapping> parseAnnotation(String s) throws JboxException {
        List<PortMapping> out = new ArrayList<>();
        if (s != null && !s.isEmpty()) {
            for (String p : s.split(",")) {
                out.add(parse(p));
            }
        }
        return out;
    }

    @Override
    public String toString() {
        if (hostPort == 0) { // the forms -p takes for "any free port": they read back the same
            return (hostIp == null ? "" : hostIp + "::") + containerPort + "/" + protocol;
        }
        return (hostIp == null ? "" : hostIp + ":") + hostPort + ":" + containerPort + "/" + protocol;
    }
}
