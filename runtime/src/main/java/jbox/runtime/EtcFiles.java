package jbox.runtime;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.IoReason;

/**
 * The container's /etc/hostname, /etc/hosts and /etc/resolv.conf, written into its state
 * directory and bind-mounted over the image's (so the image itself is never touched).
 */
final class EtcFiles {
    private EtcFiles() {
    }

    /**
     * {@code net} is the network mode's name ("host" keeps the host's files); {@code address}, when
     * the container has one of its own (bridge), goes into /etc/hosts with its hostname and aliases
     * (name, short id).
     */
    static void write(Path dir, String hostname, String net, String address, List<String> aliases, List<String> dnsServers,
            List<String> dnsFallback) throws JboxException {
        write(dir, hostname, net, address, aliases, dnsServers, dnsFallback, List.of(), List.of());
    }

    /**
     * {@code addHosts}: --add-host NAME:IP lines appended to /etc/hosts; {@code dns}: --dns
     * servers, which replace the host's and the configured ones (docker's), in every mode.
     */
    static void write(Path dir, String hostname, String net, String address, List<String> aliases, List<String> dnsServers,
            List<String> dnsFallback, List<String> addHosts, List<String> dns) throws JboxException {
        String extra = extraHosts(addHosts);
        for (String d : dns) {
            if (!isAddress(d)) {
                throw new JboxException("invalid --dns " + d + ": expected an IP address");
            }
        }
        try {
            // 0644: the container's root reads them through its binds (as "other": they are host root's)
            etc(dir.resolve("hostname"), hostname + "\n");
            etc(dir.resolve("hosts"), (net.equals("host") ? readOr(Path.of("/etc/hosts"), "") : hosts(hostname, address, aliases))
                    + extra);
            String resolv = resolvConf(net, readOr(Path.of("/etc/resolv.conf"), ""), dnsServers, dnsFallback);
            etc(dir.resolve("resolv.conf"), dns.isEmpty() ? resolv : withServers(resolv, dns));
        } catch (IOException e) {
            throw new JboxException("cannot write /etc files into " + dir + ": " + IoReason.of(e), e);
        }
    }

    private static void etc(Path file, String text) throws IOException {
        FileModes.write(file, text.getBytes(StandardCharsets.UTF_8), 0644);
    }

    /** Loopback names, then the container's own: its address when it has one, else 127.0.1.1 as Debian does. */
    static String hosts(String hostname, String address, List<String> aliases) {
        StringBuilder sb = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (address == null) {
            return sb.append("127.0.1.1\t").append(hostname).append('\n').toString();
        }
        Set<String> names = new LinkedHashSet<>();
        names.add(hostname);
        for (String a : aliases) {
            if (a != null) {
                names.add(a);
            }
        }
        return sb.append(address).append('\t').append(String.join(" ", names)).append('\n').toString();
    }

    /**
     * The host's resolv.conf, except that loopback nameservers (systemd-resolved's 127.0.0.53, a
     * local dnsmasq) are unreachable from another network namespace: drop them and use the
     * configured servers instead. With --net host the host's file works as it is.
     */
    static String resolvConf(String net, String host, List<String> configured, List<String> fallback) {
        if (net.equals("host")) {
            return host;
        }
        StringBuilder out = new StringBuilder();
        List<String> servers = new ArrayList<>(configured);
        for (String line : host.split("\n")) {
            String t = line.trim();
            if (t.startsWith("nameserver")) {
                String addr = t.substring("nameserver".length()).trim();
                if (configured.isEmpty() && !isLoopback(addr)) {
                    servers.add(addr);
                }
            } else if (t.startsWith("search") || t.startsWith("options")) {
                out.append(t).append('\n');
            }
        }
        if (servers.isEmpty()) {
            servers.addAll(fallback);
        }
        for (String s : servers) {
            out.append("nameserver ").append(s).append('\n');
        }
        return out.toString();
    }

    /** --add-host NAME:IP (or docker's newer NAME=IP; an IPv6 address keeps its colons) as hosts lines. */
    static String extraHosts(List<String> flags) throws JboxException {
        StringBuilder sb = new StringBuilder();
        for (String f : flags) {
            int sep = f.indexOf('=') > 0 ? f.indexOf('=') : f.indexOf(':');
            String name = sep > 0 ? f.substring(0, sep) : "";
            String ip = sep > 0 ? f.substring(sep + 1) : "";
            if (ip.startsWith("[") && ip.endsWith("]")) {
                ip = ip.substring(1, ip.length() - 1);
            }
            if (!name.matches("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})?")) {
                throw new JboxException("invalid --add-host " + f + ": expected NAME:IP with a host name");
            }
            if (!isAddress(ip)) {
                throw new JboxException("invalid --add-host " + f + ": " + (ip.isEmpty() ? "no address" : ip + " is not an IP address")
                        + (ip.equals("host-gateway") ? " (host-gateway is not supported: give the address)" : ""));
            }
            sb.append(ip).append('\t').append(name).append('\n');
        }
        return sb.toString();
    }

    /** A literal IPv4 or IPv6 address (never a name: nothing here resolves names). */
    static boolean isAddress(String s) {
        if (s.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
            return true;
        }
        if (!s.contains(":") || !s.matches("[0-9A-Fa-f:.]{2,45}")) {
            return false;
        }
        try {
            return InetAddress.getByName(s) instanceof Inet6Address; // a literal: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The file with its nameserver lines replaced by {@code servers} (search and options kept). */
    static String withServers(String resolv, List<String> servers) {
        StringBuilder out = new StringBuilder();
        for (String line : resolv.split("\n")) {
            if (!line.isBlank() && !line.trim().startsWith("nameserver")) {
                out.append(line).append('\n');
            }
        }
        for (String s : servers) {
            out.append("nameserver ").append(s).append('\n');
        }
        return out.toString();
    }

    static boolean isLoopback(String addr) {
        return addr.startsWith("127.") || addr.equals("::1");
    }

    private static String readOr(Path p, String otherwise) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return otherwise;
        }
    }
}
