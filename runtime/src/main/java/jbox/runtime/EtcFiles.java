package jbox.runtime;

import java.io.IOException;
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
        try {
            // 0644: the container's root reads them through its binds (as "other": they are host root's)
            etc(dir.resolve("hostname"), hostname + "\n");
            etc(dir.resolve("hosts"), net.equals("host") ? readOr(Path.of("/etc/hosts"), "") : hosts(hostname, address, aliases));
            etc(dir.resolve("resolv.conf"), resolvConf(net, readOr(Path.of("/etc/resolv.conf"), ""),
                    dnsServers, dnsFallback));
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
