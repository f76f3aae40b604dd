package jbox.oci;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * state.json of the OCI CLI with Jackson's streaming API: start, kill, state and delete read it
 * on every container podman runs, and an ObjectMapper costs ~30 ms a call there (measured). The
 * hooks, rare, are kept beside it in hooks.json (OciStore).
 */
final class OciStateJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private OciStateJson() {
    }

    static byte[] write(OciState s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", s.id());
            g.writeNumberField("pid", s.pid());
            g.writeNumberField("pidStartTime", s.pidStartTime());
            string(g, "bundle", s.bundle());
            string(g, "rootfs", s.rootfs());
            string(g, "created", s.created());
            if (s.annotations() != null) {
                g.writeObjectFieldStart("annotations");
                for (Map.Entry<String, String> e : s.annotations().entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            string(g, "cgroup", s.cgroup());
            g.writeNumberField("cgroupParents", s.cgroupParents());
            if (!s.cgroupBases().isEmpty()) {
                g.writeObjectFieldStart("cgroupBases");
                for (Map.Entry<String, String> e : new java.util.TreeMap<>(s.cgroupBases()).entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void string(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** The fields write() writes; unknown ones are skipped (a newer jbox may add some). */
    static OciState read(byte[] json) throws IOException {
        String id = null;
        String bundle = null;
        String rootfs = null;
        String created = null;
        String cgroup = null;
        long pid = 0;
        long start = 0;
        int parents = 0;
        Map<String, String> annotations = null;
        Map<String, String> bases = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a json object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> id = p.getValueAsString();
                    case "pid" -> pid = p.getValueAsLong();
                    case "pidStartTime" -> start = p.getValueAsLong();
                    case "bundle" -> bundle = p.getValueAsString();
                    case "rootfs" -> rootfs = p.getValueAsString();
                    case "created" -> created = p.getValueAsString();
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
        return new OciState(id, pid, start, bundle, rootfs, created, annotations, cgroup, parents, bases, null);
    }

    /** A flat object of strings; t is the token that opened it. */
    private static void readMap(JsonParser p, JsonToken t, Map<String, String> into) throws IOException {
        while (t == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME) {
            String k = p.currentName();
            p.nextToken();
            into.put(k, p.getValueAsString());
        }
    }
}
