package jbox.network;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * The network part of `jbox system prune`: leases, veths (vjb + 8 hex), namespace names
 * (jbox- + 12 hex), published-port leases and iptables rules (tagged jbox: + 12 hex) of
 * containers that have no live owner. Veths are looked for in the network
 * namespace prune runs in; names under /var/run/netns are shared by every namespace of the host.
 *
 * Names and tags carry only the container id, and another state root (a second jbox config, the
 * tests' roots) makes the same shapes: a veth, name or rule is removed only when this state root
 * knows its container (a state directory, or a lease in this root) and that container is dead.
 */
public final class NetworkCleanup {
    private NetworkCleanup() {
    }

    /**
     * {@code live} tells whether a container whose id starts with the given prefix still has an
     * owner; {@code ours} whether one of this state root's containers (live or dead) has such an
     * id. They are asked only after the thing was seen: a container creates its network pieces
     * after it has an owner, so one that starts while prune runs is never mistaken for dead.
     * Returns one line per removed thing.
     */
    public static List<String> prune(Path stateRoot, Predicate<String> live, Predicate<String> ours) throws JboxException {
        List<String> removed = new ArrayList<>();
        Set<String> reclaimed = new HashSet<>();
        for (Ipam ipam : Ipam.all(stateRoot)) {
            List<Ipam.Lease> gone = ipam.reclaim(live, ContainerNetwork::removeLeftovers);
            if (!gone.isEmpty() && ipam.bridgeName().startsWith(UserNetworks.BRIDGE_PREFIX)) {
                NetworkHosts.refresh(stateRoot, ipam.bridgeName(), ipam); // the others forget the dead
            }
            for (Ipam.Lease l : gone) {
                reclaimed.add(l.id());
                removed.add("address lease " + l.address() + " of container " + l.id().substring(0, 12) + " (" + ipam.file()
                        + ") with its veth " + VethNames.hostEnd(l.id()) + " and namespace name " + VethNames.netns(l.id()));
            }
        }
        for (PortLeases.Lease l : PortLeases.of(stateRoot).reclaim(live)) {
            reclaimed.add(l.id());
            removed.add("published port " + l.port() + " of container " + l.id().substring(0, 12));
        }
        Predicate<String> dead = prefix -> (ours.test(prefix) || reclaimed.stream().anyMatch(id -> id.startsWith(prefix)))
                && !live.test(prefix);
        // Only where ports were ever published (the lease file stays once made): no iptables-save
        // for everyone else, and no dependence on iptables where it is not used.
        int rules = PortLeases.of(stateRoot).everUsed() ? PortLeases.of(stateRoot).removeRules(dead) : 0;
        if (rules > 0) {
            removed.add(rules + " iptables rules of published ports of dead containers");
        }
        List<String> links = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder batch = new StringBuilder();
        for (String link : Links.names()) {
            String prefix = VethNames.idPrefixOfHostEnd(link);
            if (prefix != null && dead.test(prefix)) {
                batch.append("link del ").append(link).append('\n');
                links.add(link);
            }
        }
        for (String name : netnsNames()) {
            String prefix = VethNames.idPrefixOfNetns(name);
            if (prefix != null && dead.test(prefix)) {
                batch.append("netns del ").append(name).append('\n');
                names.add(name);
            }
        }
        if (batch.length() > 0) {
            String error = ContainerNetwork.unexpectedError(Command.run(List.of("ip", "-force", "-batch", "-"), batch.toString()));
            if (error != null) {
                throw new JboxException("cannot remove " + String.join(", ", links) + (links.isEmpty() || names.isEmpty() ? "" : ", ")
                        + String.join(", ", names) + ": " + error);
            }
            links.forEach(l -> removed.add("veth " + l));
            names.forEach(n -> removed.add("network namespace name " + n + " (" + VethNames.NETNS_DIR.resolve(n) + ")"));
        }
        return removed;
    }

    static List<String> netnsNames() throws JboxException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(VethNames.NETNS_DIR)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(VethNames.NETNS_DIR, VethNames.NETNS_PREFIX + "*")) {
            for (Path p : ds) {
                out.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + VethNames.NETNS_DIR + ": " + IoReason.of(e), e);
        }
        out.sort(null);
        return out;
    }
}
