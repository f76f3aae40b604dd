package jbox.network;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.spec.PortMapping;

/**
 * Whether a host port is free before jbox publishes it. A published port is a DNAT rule, which
 * would silently take the traffic of a host process already listening there; docker refuses such a
 * port because its proxy cannot bind it, and jbox refuses it the same way: by binding it for a
 * moment, TCP or UDP, on the mapping's address (all addresses when none is given).
 */
final class HostPorts {
    private HostPorts() {
    }

    /**
     * For a host port 0: one the kernel says is free now (it picks from its ephemeral range, as
     * docker's proxy does), and that {@code leased} does not already promise to another mapping.
     */
    static PortMapping pickFree(PortMapping p, Predicate<PortMapping> leased) throws JboxException {
        InetSocketAddress at = new InetSocketAddress(p.hostIp() == null ? "0.0.0.0" : p.hostIp(), 0);
        for (int attempt = 0; attempt < 16; attempt++) {
            int port;
            try (NetworkChannel ch = p.protocol().equals("udp") ? DatagramChannel.open(StandardProtocolFamily.INET)
                    : ServerSocketChannel.open(StandardProtocolFamily.INET)) {
                ch.bind(at);
                port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
            } catch (IOException e) {
                throw new JboxException("cannot find a free host port for " + p.containerPort() + "/" + p.protocol()
                        + " on " + (p.hostIp() == null ? "all addresses" : p.hostIp()) + ": " + IoReason.of(e), e);
            }
            PortMapping chosen = p.onHostPort(port);
            if (!leased.test(chosen)) {
                return chosen;
            }
        }
        throw new JboxException("cannot find a free host port for " + p.containerPort() + "/" + p.protocol()
                + ": every port the kernel offered is published already");
    }

    static void checkFree(PortMapping p) throws JboxException {
        InetSocketAddress at = new InetSocketAddress(p.hostIp() == null ? "0.0.0.0" : p.hostIp(), p.hostPort());
        try (NetworkChannel ch = p.protocol().equals("udp") ? DatagramChannel.open(StandardProtocolFamily.INET)
                : ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            if (ch instanceof ServerSocketChannel) {
                // A connection of a past listener in TIME_WAIT does not make the port busy; a listener does.
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            ch.bind(at);
        } catch (IOException e) {
            throw new JboxException("cannot publish port " + p.key() + " on " + (p.hostIp() == null ? "all addresses" : p.hostIp())
                    + ": " + IoReason.of(e), e);
        }
    }
}
