package jbox.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.spec.ContainerSpec;
import jbox.spec.NetworkMode;
import jbox.spec.PortMapping;

/**
 * One container's network, over its life. Bridge mode: {@link #prepare()} before the container
 * exists (the bridge, an address), {@link #attach(long)} once its process exists and before its
 * plan runs (veth pair, namespace name, address and route inside), {@link #startTeardown()} on
 * every way out. Joined namespaces: {@link #attach(long)} checks the container is in the namespace
 * that was asked for. Other modes need nothing from the host.
 */
public final class ContainerNetwork {
    private final NetworkMode mode;
    private final String id;
    private final BridgeSettings bridge;
    private final Predicate<String> live;
    private final String joinPath;
    private List<PortMapping> ports;
    private boolean portsClaimed;
    private int mtu;
    private String address;
    private boolean attaching;
    private Object joinedNamespace;

    private ContainerNetwork(NetworkMode mode, String id, BridgeSettings bridge, Predicate<String> live, String joinPath,
            List<PortMapping> ports) {
        this.ports = ports;
        this.mode = mode;
        this.id = id;
        this.bridge = bridge;
        this.live = live;
        this.joinPath = joinPath;
    }

    /**
     * The network the spec asks for; {@code live} tells whether a container (by id) still has an
     * owner, for reclaiming the addresses of dead ones.
     */
    public static ContainerNetwork of(ContainerSpec spec, String id, BridgeSettings bridge, Predicate<String> live)
            throws JboxException {
        String path = null;
        for (ContainerSpec.Namespace n : spec.linux().namespaces()) {
            if (n.type().equals("network")) {
                path = n.path();
            }
        }
        String published = spec.annotations() == null ? null : spec.annotations().get(NetworkMode.ANNOTATION_PORTS);
        return new ContainerNetwork(NetworkMode.of(spec), id, bridge, live, path, PortMapping.parseAnnotation(published));
    }

    public NetworkMode mode() {
        return mode;
    }

    /** The container's address (bridge mode, after prepare), else null. */
    public String address() {
        return address;
    }

    /**
     * A jbox network (not the default bridge): this container's /etc/hosts (written by then) gets
     * the others on it, and theirs get this one. Before it runs, after its address is leased.
     */
    public void joinHosts() throws JboxException {
        if (mode.userNetwork() && address != null) {
            NetworkHosts.join(bridge.stateRoot(), bridge.name(), bridge.ipam(), id);
        }
    }

    /** The published ports (-p, -P), possibly none; after prepare, with the host ports chosen for 0s. */
    public List<PortMapping> ports() {
        return ports;
    }

    /** Bridge: the bridge exists and an address is leased. Joins: which namespace to expect. */
    public void prepare() throws JboxException {
        if (mode.kind() == NetworkMode.Kind.BRIDGE) {
            mtu = Bridge.ensure(bridge);
            address = bridge.ipam().allocate(id, bridge.subnet(), live, ContainerNetwork::removeLeftovers);
            if (!ports.isEmpty()) {
                // Claimed before any rule exists, so a refused port leaves nothing; the rules go in
                // now (before the veth: a DNAT to an address not yet there is harmless).
                PortLeases leases = PortLeases.of(bridge.stateRoot());
                ports = leases.claim(id, ports, live); // with the host ports chosen for -p CPORT and -P
                portsClaimed = true;
                leases.addRules(id, bridge.name(), address, ports);
            }
        } else if (joinPath != null) {
            joinedNamespace = namespaceId(Path.of(joinPath));
        }
    }

    /**
     * Runs between the container's clone and its plan. Two ip processes: the first works in
     * jbox's namespace (the veth pair, its container end created directly in the container's
     * namespace as eth0; the namespace's name for ip-netns), the second inside the container's
     * namespace (address, link up, default route).
     */
    public void attach(long pid) throws JboxException {
        if (joinedNamespace != null) {
            Object actual = namespaceId(Path.of("/proc", Long.toString(pid), "ns/net"));
            if (!joinedNamespace.equals(actual)) {
                throw new JboxException("the network namespace " + joinPath + " changed while the container started"
                        + (mode.target() != null ? " (did container " + mode.target() + " exit?)" : ""));
            }
            return;
        }
        if (address == null) {
            return;
        }
        String host = VethNames.hostEnd(id);
        String netns = VethNames.netns(id);
        // Names carry only part of the id: never touch another container's (nor take it down later).
        if (Links.names().contains(host) || Files.exists(VethNames.NETNS_DIR.resolve(netns))) {
            throw new JboxException("cannot connect the container to bridge " + bridge.name() + ": veth " + host
                    + " or namespace name " + netns + " already exists (another container's id starts the same; run it again)");
        }
        attaching = true;
        // (StringBuilder: each new shape of + costs a cold JVM about a millisecond to link.)
        String outside = new StringBuilder("link add ").append(host).append(" mtu ").append(mtu).append(" master ")
                .append(bridge.name()).append(" up type veth peer name ").append(VethNames.CONTAINER_IF).append(" mtu ")
                .append(mtu).append(" netns ").append(pid).append("\nnetns attach ").append(netns).append(' ').append(pid)
                .append('\n').toString();
        Command.Result r = Command.run(List.of("ip", "-batch", "-"), outside);
        if (!r.ok()) {
            throw new JboxException("cannot connect the container to bridge " + bridge.name() + " (veth " + host + "): "
                    + r.firstError());
        }
        String inside = new StringBuilder("addr add ").append(bridge.subnet().withPrefix(Ipv4Subnet.parseAddress(address)))
                .append(" dev ").append(VethNames.CONTAINER_IF).append("\nlink set ").append(VethNames.CONTAINER_IF)
                .append(" up\nroute add default via ").append(Ipv4Subnet.format(bridge.subnet().gateway())).append('\n')
                .toString();
        r = Command.run(List.of("ip", "-n", netns, "-batch", "-"), inside);
        if (!r.ok()) {
            throw new JboxException("cannot configure " + VethNames.CONTAINER_IF + " with " + address + " in the container: "
                    + r.firstError());
        }
    }

    /** Removes what attach made and gives the address back; see {@link Teardown}. */
    public Teardown startTeardown() throws JboxException {
        if (address == null) {
            return Teardown.NOTHING;
        }
        if (!attaching) {
            return new Teardown(this, null); // the container never got a veth: only the lease goes
        }
        // Not `ip link del`: deleting a veth waits for RCU grace periods (15-25 ms here, on every
        // exit). The container's processes are gone, so once its namespace loses its name nothing
        // holds the namespace and the kernel deletes both ends with it, within milliseconds. Set
        // down first, the host end leaves the bridge's forwarding at once even if something else
        // keeps the namespace (a container that joined it, an `ip netns exec` shell): the address
        // can be leased again safely.
        String batch = new StringBuilder("link set ").append(VethNames.hostEnd(id)).append(" down\nnetns del ")
                .append(VethNames.netns(id)).append('\n').toString();
        return new Teardown(this, Command.start(List.of("ip", "-force", "-batch", "-"), batch));
    }

    /**
     * The host's part of the clean-up runs as a process while jbox removes the container's files;
     * {@link #await()} checks the result and releases the lease. The lease stays when something
     * could not be undone (prune retries).
     */
    public static final class Teardown {
        static final Teardown NOTHING = new Teardown(null, null);
        private final ContainerNetwork net;
        private final Command.Running removal;

        private Teardown(ContainerNetwork net, Command.Running removal) {
            this.net = net;
            this.removal = removal;
        }

        public void await() throws JboxException {
            if (net == null) {
                return;
            }
            if (net.portsClaimed) {
                PortLeases.of(net.bridge.stateRoot()).unpublish(net.id);
            }
            String error = removal == null ? null : unexpectedError(removal.await());
            if (error != null) {
                throw new JboxException("cannot remove the network of container " + net.id.substring(0, 12) + " (veth "
                        + VethNames.hostEnd(net.id) + ", namespace name " + VethNames.netns(net.id) + "): " + error);
            }
            net.bridge.ipam().release(net.id);
            if (net.mode.userNetwork()) {
                NetworkHosts.refresh(net.bridge.stateRoot(), net.bridge.name(), net.bridge.ipam());
            }
        }
    }

    /**
     * The reclaimer of leases whose containers are gone (a killed jbox): their veths are deleted
     * and their namespace names removed before the addresses are handed out again.
     */
    static void removeLeftovers(List<Ipam.Lease> stale) throws JboxException {
        StringBuilder batch = new StringBuilder();
        for (Ipam.Lease l : stale) {
            batch.append("link del ").append(VethNames.hostEnd(l.id())).append('\n');
            batch.append("netns del ").append(VethNames.netns(l.id())).append('\n');
        }
        String error = unexpectedError(Command.run(List.of("ip", "-force", "-batch", "-"), batch.toString()));
        if (error != null) {
            throw new JboxException("cannot remove the veths and namespace names of dead containers: " + error);
        }
    }

    /**
     * What `ip -force -batch` said beyond "that is already gone" (a container that failed early
     * never had a veth or a name), or null.
     */
    static String unexpectedError(Command.Result r) {
        if (r.ok()) {
            return null;
        }
        for (String line : r.err().split("\n")) {
            String t = line.trim();
            if (!t.isEmpty() && !t.startsWith("Command failed") && !t.contains("Cannot find device")
                    && !t.contains("No such file or directory")) {
                return t;
            }
        }
        return null;
    }

    /** A namespace's identity: the nsfs inode and device that /proc/PID/ns/net or a bind mount of it resolves to. */
    private static Object namespaceId(Path p) throws JboxException {
        try {
            return List.of(Files.getAttribute(p, "unix:dev"), Files.getAttribute(p, "unix:ino"));
        } catch (IOException e) {
            throw new JboxException("cannot open network namespace " + p + ": " + IoReason.of(e), e);
        }
    }
}
