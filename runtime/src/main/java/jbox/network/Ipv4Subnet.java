package jbox.network;

import jbox.JboxException;

/**
 * An IPv4 network in CIDR form (10.88.0.0/16): the bridge takes the first host address as the
 * containers' gateway, containers get the rest up to the broadcast address. Addresses are ints
 * (unsigned arithmetic through longs where it matters).
 */
public record Ipv4Subnet(int network, int prefix) {
    /** Parses "A.B.C.D/N"; the host bits must be zero and there must be room for a gateway and one container. */
    public static Ipv4Subnet parse(String cidr) throws JboxException {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new JboxException("invalid subnet " + cidr + ": expected A.B.C.D/PREFIX, e.g. 10.88.0.0/16");
        }
        int address = parseAddress(cidr.substring(0, slash));
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new JboxException("invalid subnet " + cidr + ": the prefix length is not a number");
        }
        if (prefix < 1 || prefix > 30) {
            throw new JboxException("invalid subnet " + cidr + ": the prefix length must be 1 to 30 (room for a gateway and a container)");
        }
        int mask = mask(prefix);
        if ((address & ~mask) != 0) {
            throw new JboxException("invalid subnet " + cidr + ": host bits are set (did you mean "
                    + format(address & mask) + "/" + prefix + "?)");
        }
        return new Ipv4Subnet(address, prefix);
    }

    /** Dotted quad to int; four decimal parts 0..255, nothing else. */
    public static int parseAddress(String s) throws JboxException {
        int a = 0;
        int parts = 0;
        int value = -1;
        for (int i = 0; i <= s.length(); i++) {
            char c = i == s.length() ? '.' : s.charAt(i);
            if (c == '.') {
                if (value < 0 || ++parts > 4) {
                    throw new JboxException("invalid IPv4 address " + s);
                }
                a = a << 8 | value;
                value = -1;
            } else if (c >= '0' && c <= '9' && value != 0 && (value < 0 ? 0 : value) * 10 + (c - '0') <= 255) {
                value = (value < 0 ? 0 : value) * 10 + (c - '0');
            } else {
                throw new JboxException("invalid IPv4 address " + s);
            }
        }
        if (parts != 4) {
            throw new JboxException("invalid IPv4 address " + s);
        }
        return a;
    }

    public static String format(int a) {
        // StringBuilder, not +: each new shape of string concatenation costs a cold JVM ~1 ms to link.
        return new StringBuilder(15).append(a >>> 24).append('.').append(a >>> 16 & 0xff).append('.')
                .append(a >>> 8 & 0xff).append('.').append(a & 0xff).toString();
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Number of addresses, network and broadcast included. */
    public long size() {
        return 1L << (32 - prefix);
    }

    /** The bridge's address: the first host address. */
    public int gateway() {
        return network + 1;
    }

    public int firstHost() {
        return network + 2;
    }

    /** The last address before the broadcast address. */
    public int lastHost() {
        return (int) (network + size() - 2);
    }

    /** How many containers fit. */
    public long hostCount() {
        return size() - 3;
    }

    public boolean contains(int address) {
        return (address & mask(prefix)) == network;
    }

    /** Whether the two share any address: the shorter prefix's network contains the other's. */
    public boolean overlaps(Ipv4Subnet o) {
        int m = mask(Math.min(prefix, o.prefix));
        return (network & m) == (o.network & m);
    }

    /** A host address with this subnet's prefix, as ip(8) takes it: 10.88.0.5/16. */
    public String withPrefix(int address) {
        return new StringBuilder(format(address)).append('/').append(prefix).toString();
    }

    @Override
    public String toString() {
        return withPrefix(network);
    }
}
