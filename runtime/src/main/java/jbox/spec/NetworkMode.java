package jbox.spec;

import java.util.Map;
import jbox.JboxException;

/**
 * `--net`: bridge (a veth to the host bridge, an address from IPAM), none (loopback only), host
 * (the host's namespace), container:NAME|ID (another container's namespace), ns:NAME (a namespace
 * made with `ip netns add NAME`). The chosen mode travels in the spec as annotations.
 */
public record NetworkMode(Kind kind, String target) {
    public enum Kind { BRIDGE, NONE, HOST, CONTAINER, NS }

    public static final String ANNOTATION_MODE = "dev.jbox.network.mode";
    public static final String ANNOTATION_BRIDGE = "dev.jbox.network.bridge";
    public static final String ANNOTATION_SUBNET = "dev.jbox.network.subnet";
    public static final String ANNOTATION_CONTAINER = "dev.jbox.network.container";

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
        throw new JboxException("unsupported network mode " + s + " (use bridge, none, host, container:NAME, ns:NAME)");
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
            default -> parse(m);
        };
    }

    /** A network namespace of its own (bridge, none), as opposed to the host's or a joined one. */
    public boolean ownNamespace() {
        return kind == Kind.BRIDGE || kind == Kind.NONE;
    }

    public String annotation() {
        return kind.name().toLowerCase();
    }

    @Override
    public String toString() {
        return target == null ? annotation() : annotation() + ":" + target;
    }
}
