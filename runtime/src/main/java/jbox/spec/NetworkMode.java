package jbox.spec;

import java.util.Map;
import jbox.JboxException;

/**
 * `--net`: bridge (a veth to the host bridge, an address from IPAM), none (loopback only), host
 * (the host's namespace), container:NAME|ID (another container's namespace), ns:NAME (a namespace
 * made with `ip netns add NAME`), or NAME of a network made with `jbox network create` (bridge
 * mode on that network's own bridge: kind BRIDGE with the network's name as target). The chosen
 * mode travels in the spec as annotations.
 */
public record NetworkMode(Kind kind, String target) {
    public enum Kind { BRIDGE, NONE, HOST, CONTAINER, NS }

    public static final String ANNOTATION_MODE = "dev.jbox.network.mode";
    public static final String ANNOTATION_BRIDGE = "dev.jbox.network.bridge";
    public static final String ANNOTATION_SUBNET = "dev.jbox.network.subnet";
    public static final String ANNOTATION_CONTAINER = "dev.jbox.network.container";
    /** A user-defined network's name (bridge mode on it). */
    public static final String ANNOTATION_NETWORK = "dev.jbox.network.name";
    /** Published ports, {@link PortMapping#format}. */
    public static final String ANNOTATION_PORTS = "dev.jbox.network.ports";

    public static final NetworkMode NONE = new NetworkMode(Kind.NONE, null);

    public static NetworkMode parse(String s) throws JboxException {
        switch (s) {
            case "bridge": return new NetworkMode(Kind.BRIDGE, null);
            case "none": return NONE;
            case "host": return new NetworkMode(Kind.HOST, null);
            default: break;
        }
        if (s.startsWith("container:") && s.length() > "container:".length()) {
            return new NetworkMode(Kind.CONTAINER, s.substring("container:".length()));
        }
        if (s.startsWith("ns:")) {
            String name = s.substring(3);
            // A name under /var/run/netns, never a path that leads elsewhere.
            if (!name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*")) {
                throw new JboxException("invalid network namespace name " + name + " in --net " + s
                        + " (a name from `ip netns list`)");
            }
            return new NetworkMode(Kind.NS, name);
        }
        if (isNetworkName(s)) {
            return new NetworkMode(Kind.BRIDGE, s); // whether it exists is checked when it is looked up
        }
        throw new JboxException("unsupported network mode " + s + " (use bridge, none, host, container:NAME, ns:NAME, or a network from jbox network ls)");
    }

    /**
     * A user network's name: lowercase letters, digits, '_' and '-', at most 11 so that its
     * bridge jbn-NAME fits an interface name (15); never one of the modes.
     */
    public static boolean isNetworkName(String s) {
        return s.matches("[a-z0-9][a-z0-9_-]{0,10}") && !s.equals("bridge") && !s.equals("none") && !s.equals("host");
    }

    /** The mode a spec was built with (a spec without the annotation: none or host, by its namespaces). */
    public static NetworkMode of(ContainerSpec spec) throws JboxException {
        Map<String, String> ann = spec.annotations() == null ? Map.of() : spec.annotations();
        String m = ann.get(ANNOTATION_MODE);
        if (m == null) {
            return spec.linux().namespaces().stream().anyMatch(n -> n.type().equals("network")) ? NONE
                    : new NetworkMode(Kind.HOST, null);
        }
        return switch (m) {
            case "container" -> new NetworkMode(Kind.CONTAINER, ann.get(ANNOTATION_CONTAINER));
            case "ns" -> new NetworkMode(Kind.NS, null);
            case "bridge" -> new NetworkMode(Kind.BRIDGE, ann.get(ANNOTATION_NETWORK));
            default -> parse(m);
        };
    }

    /** A network namespace of its own (bridge, none), as opposed to the host's or a joined one. */
    public boolean ownNamespace() {
        return kind == Kind.BRIDGE || kind == Kind.NONE;
    }

    /** A user-defined network (bridge mode on its own bridge). */
    public boolean userNetwork() {
        return kind == Kind.BRIDGE && target != null;
    }

    public String annotation() {
        return kind.name().toLowerCase();
    }

    @Override
    public String toString() {
        return userNetwork() ? target : target == null ? annotation() : annotation() + ":" + target;
    }
}
