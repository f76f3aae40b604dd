package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import jbox.JboxException;
import jbox.cgroup.CgroupResources;
import jbox.cgroup.CgroupUpdate;
import jbox.io.IoReason;

/**
 * What `update` is asked to change, from runc's flags or from `-r FILE` (a runtime-spec
 * linux.resources object, as runc reads it): the values jbox's cgroups implement become a
 * CgroupUpdate; anything else set to a non-empty value is refused by name. As runc, 0 and ""
 * mean "leave it" (runc's own template for -r is all zeros).
 */
final class UpdateResources {
    /** linux.resources fields jbox writes: object → its fields. */
    private static final Map<String, Set<String>> SUPPORTED = Map.of(
            "memory", Set.of("limit", "swap", "reservation"),
            "cpu", Set.of("shares", "quota", "period", "cpus", "mems"),
            "pids", Set.of("limit"));

    private UpdateResources() {
    }

    static void refuse(String flag, String value) throws JboxException {
        if (value != null) {
            throw new JboxException("update: " + flag + " is not supported (jbox does not manage that setting)");
        }
    }

    static CgroupUpdate fromFlags(String memory, String memorySwap, String memoryReservation, Long pidsLimit,
            Long cpuQuota, Long cpuPeriod, Long cpuShare, String cpusetCpus, String cpusetMems) throws JboxException {
        CgroupUpdate u = new CgroupUpdate(bytes("--memory", memory), bytes("--memory-swap", memorySwap),
                bytes("--memory-reservation", memoryReservation), pidsLimit, cpuQuota, zeroIsUnset(cpuPeriod),
                zeroIsUnset(cpuShare), emptyIsUnset(cpusetCpus), emptyIsUnset(cpusetMems));
        if (u.isEmpty()) {
            throw new JboxException("update: nothing to change (give a flag such as --memory, or -r FILE)");
        }
        return u;
    }

    /** -r's argument: a file, or "-" for standard input. */
    static byte[] read(Request r, String source) throws JboxException {
        try {
            return source.equals("-") ? r.in().readAllBytes() : Files.readAllBytes(r.cwd().resolve(source));
        } catch (IOException e) {
            throw new JboxException("update: cannot read " + (source.equals("-") ? "standard input" : source) + ": "
                    + IoReason.of(e), e);
        }
    }

    static CgroupUpdate fromJson(byte[] json, String source) throws JboxException {
        String where = "update: " + (source.equals("-") ? "standard input" : source);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new JboxException(where + ": not valid json: " + IoReason.of(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new JboxException(where + ": expected a json object (runtime-spec linux.resources)");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            Set<String> known = SUPPORTED.get(e.getKey());
            if (known == null || !e.getValue().isObject()) {
                unsupportedUnlessEmpty(where, e.getKey(), e.getValue());
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> f = e.getValue().fields(); f.hasNext();) {
                Map.Entry<String, JsonNode> field = f.next();
                if (!known.contains(field.getKey())) {
                    unsupportedUnlessEmpty(where, e.getKey() + "." + field.getKey(), field.getValue());
                }
            }
        }
        JsonNode m = root.path("memory");
        JsonNode c = root.path("cpu");
        return new CgroupUpdate(number(where, m, "memory", "limit"), number(where, m, "memory", "swap"),
                number(where, m, "memory", "reservation"), number(where, root.path("pids"), "pids", "limit"),
                number(where, c, "cpu", "quota"), number(where, c, "cpu", "period"), number(where, c, "cpu", "shares"),
                text(where, c, "cpus"), text(where, c, "mems"));
    }

    private static void unsupportedUnlessEmpty(String where, String field, JsonNode value) throws JboxException {
        if (!isEmpty(value)) {
            throw new JboxException(where + ": linux.resources." + field + " is not supported");
        }
    }

    /** 0, "", false, null, and objects or arrays of nothing else: runc's "not set". */
    private static boolean isEmpty(JsonNode v) {
        if (v.isContainerNode()) {
            for (JsonNode child : v) {
                if (!isEmpty(child)) {
                    return false;
                }
            }
            return true;
        }
        return v.isNull() || (v.isNumber() && v.asDouble() == 0) || (v.isTextual() && v.asText().isEmpty())
                || (v.isBoolean() && !v.asBoolean());
    }

    private static Long number(String where, JsonNode parent, String object, String field) throws JboxException {
        JsonNode v = parent.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new JboxException(where + ": linux.resources." + object + "." + field + ": expected an integer, found " + v);
        }
        return v.asLong() == 0 ? null : v.asLong();
    }

    private static String text(String where, JsonNode cpu, String field) throws JboxException {
        JsonNode v = cpu.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new JboxException(where + ": linux.resources.cpu." + field + ": expected a string such as \"0-1\", found " + v);
        }
        return emptyIsUnset(v.asText());
    }

    private static Long bytes(String flag, String value) throws JboxException {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return CgroupResources.parseBytesOrUnlimited(value);
        } catch (JboxException e) {
            throw new JboxException("update: invalid " + flag + " " + value + ": expected bytes with an optional unit"
                    + " (512m, 1g) or -1", e);
        }
    }

    private static Long zeroIsUnset(Long v) {
        return v == null || v == 0 ? null : v;
    }

    private static String emptyIsUnset(String v) {
        return v == null || v.isEmpty() ? null : v;
    }
}
