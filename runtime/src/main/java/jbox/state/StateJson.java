package jbox.state;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * state.json with Jackson's streaming API, both ways: it is written on every start, before the
 * plan runs, and the OCI CLI's start, kill, state and delete read it on every container podman
 * runs; an ObjectMapper costs ~25-30 ms to set up there (measured), the generator and parser well
 * under 1 ms. Fields that are unset are left out; unknown ones are skipped on reading (a newer
 * jbox may add some). The hooks are not here (StateStore keeps them in hooks.json).
 */
public final class StateJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private StateJson() {
    }

    public static byte[] write(ContainerRecord s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", s.id());
            string(g, "name", s.name());
            string(g, "image", s.image());
            string(g, "bundle", s.bundle());
            string(g, "rootfs", s.rootfs());
            string(g, "status", s.status());
            g.writeNumberField("pid", s.pid());
            g.writeNumberField("pidStartTime", s.pidStartTime());
            g.writeNumberField("shimPid", s.shimPid());
            g.writeNumberField("shimStartTime", s.shimStartTime());
            string(g, "createdAt", s.created());
            string(g, "finishedAt", s.finished());
            if (s.exitCode() != null) {
                g.writeNumberField("exitCode", s.exitCode());
            }
            g.writeBooleanField("autoRemove", s.autoRemove());
            string(g, "layerDir", s.layerDir());
            if (s.annotations() != null) {
                map(g, "annotations", s.annotations());
            }
            if (s.cgroup() != null) {
                g.writeStringField("cgroup", s.cgroup());
                g.writeNumberField("cgroupParents", s.cgroupParents());
                if (!s.cgroupBases().isEmpty()) {
                    map(g, "cgroupBases", new TreeMap<>(s.cgroupBases()));
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode state of " + s.id(), e);
        }
        return out.toByteArray();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void map(JsonGenerator g, String name, Map<String, String> m) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, String> e : m.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    /** The fields write() writes, without hooks; "created" is read as createdAt (an OCI state of jbox before one store). */
    public static ContainerRecord read(byte[] json) throws IOException {
        String id = null;
        String name = null;
        String image = null;
        String bundle = null;
        String rootfs = null;
        String status = null;
        long pid = 0;
        long pidStart = 0;
        long shimPid = 0;
        long shimStart = 0;
        String created = null;
        String finished = null;
        Integer exitCode = null;
        boolean autoRemove = false;
        String layerDir = null;
        Map<String, String> annotations = null;
        String cgroup = null;
        int parents = 0;
        Map<String, String> bases = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a json object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "id" -> id = p.getValueAsString();
                    case "name" -> name = p.getValueAsString();
                    case "image" -> image = p.getValueAsString();
                    case "bundle" -> bundle = p.getValueAsString();
                    case "rootfs" -> rootfs = p.getValueAsString();
                    case "status" -> status = p.getValueAsString();
                    case "pid" -> pid = p.getValueAsLong();
                    case "pidStartTime" -> pidStart = p.getValueAsLong();
                    case "shimPid" -> shimPid = p.getValueAsLong();
                    case "shimStartTime" -> shimStart = p.getValueAsLong();
                    case "createdAt", "created" -> created = p.getValueAsString();
                    case "finishedAt" -> finished = p.getValueAsString();
                    case "exitCode" -> exitCode = t == JsonToken.VALUE_NULL ? null : p.getValueAsInt();
                    case "autoRemove" -> autoRemove = p.getValueAsBoolean();
                    case "layerDir" -> layerDir = p.getValueAsString();
                    case "cgroup" -> cgroup = p.getValueAsString();
                    case "cgroupParents" -> parents = p.getValueAsInt();
                    case "annotations" -> {
                        annotations = new LinkedHashMap<>();
                        readMap(p, t, annotations);
                    }
                    case "cgroupBases" -> readMap(p, t, bases);
                    default -> p.skipChildren();
                }
            }
        }
        if (id == null) {
            throw new IOException("no \"id\"");
        }
        return new ContainerRecord(id, name, image, bundle, rootfs, status, pid, pidStart, shimPid, shimStart, created, finished,
                exitCode, autoRemove, layerDir, annotations, cgroup, parents, bases, null);
    }

    /** A flat object of strings; t is the token that opened it. */
    private static void readMap(JsonParser p, JsonToken t, Map<String, String> into) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            into.put(k, p.getValueAsString());
        }
    }
}
