package jbox.network;

import java.nio.file.Path;

/**
 * Names that carry a container's id, so leftovers can be traced back to it: the host end of its
 * veth pair (vjb + 8 hex digits: interface names have at most 15 characters) and its network
 * namespace's name for ip-netns(8) (jbox- + the 12-hex short id, a bind mount under /var/run/netns,
 * the directory iproute2 has compiled in).
 */
public final class VethNames {
    public static final String HOST_PREFIX = "vjb";
    public static final String NETNS_PREFIX = "jbox-";
    public static final Path NETNS_DIR = Path.of("/var/run/netns");
    /** The container's end, once it is in the container's namespace. */
    public static final String CONTAINER_IF = "eth0";

    private VethNames() {
    }

    public static String hostEnd(String id) {
        return HOST_PREFIX.concat(id.substring(0, 8));
    }

    public static String netns(String id) {
        return NETNS_PREFIX.concat(id.substring(0, 12));
    }

    /** The id prefix a host-end name carries, or null when the name is not one of ours. */
    static String idPrefixOfHostEnd(String ifname) {
        return ifname.matches(HOST_PREFIX + "[0-9a-f]{8}") ? ifname.substring(HOST_PREFIX.length()) : null;
    }

    /** The id prefix a netns name carries, or null when the name is not one of ours (e.g. a test's jbox-test-1). */
    static String idPrefixOfNetns(String name) {
        return name.matches(NETNS_PREFIX + "[0-9a-f]{12}") ? name.substring(NETNS_PREFIX.length()) : null;
    }
}
