package jbox.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import jbox.JboxException;
import jbox.io.AtomicFile;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.security.SeccompProfile;

/**
 * A ContainerSpec as config.json's text through Jackson's streaming API: `jbox run` records its
 * spec before the container starts, and an ObjectMapper with ContainerSpec's serializers costs
 * ~80 ms to build cold. The records are walked by their components, in order; null values are
 * left out (absent and null read the same), and so are Hooks' empty lists (its NON_EMPTY);
 * SeccompProfile goes through OciSeccompSerializer. No annotation is read here: parsing one
 * costs ~10 ms cold. OciConfigWriterTest keeps the output equal to databind's.
 */
public final class OciConfigWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final OciSeccompSerializer SECCOMP = new OciSeccompSerializer();

    private OciConfigWriter() {
    }

    /** Writes the spec to {@code file} (temp + rename: a reader never sees half a file). */
    public static void write(ContainerSpec spec, Path file) throws JboxException {
        try {
            AtomicFile.write(file, (json(spec) + "\n").getBytes(StandardCharsets.UTF_8), FileModes.PRIVATE_FILE); // -e values: secrets
        } catch (IOException e) {
            throw new JboxException("cannot write " + file + ": " + IoReason.of(e), e);
        }
    }

    static String json(ContainerSpec spec) throws JboxException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            value(g, spec);
        } catch (IOException e) {
            throw new JboxException("cannot write the config as json: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof SeccompProfile p) {
            SECCOMP.serialize(p, g, null);
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object e : c) {
                value(g, e);
            }
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(e.getKey().toString());
                value(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Record r) {
            record(g, r);
        } else {
            throw new IOException("no json form for " + v.getClass().getName());
        }
    }

    private static void record(JsonGenerator g, Record r) throws IOException {
        boolean nonEmpty = r instanceof ContainerSpec.Hooks;
        g.writeStartObject();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(r);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IOException("cannot read " + r.getClass().getSimpleName() + "." + c.getName() + ": " + e, e);
            }
            if (v == null || nonEmpty && (v instanceof Collection<?> l && l.isEmpty()
                    || v instanceof Map<?, ?> m && m.isEmpty() || "".equals(v))) {
                continue;
            }
            g.writeFieldName(c.getName());
            value(g, v);
        }
        g.writeEndObject();
    }
}
