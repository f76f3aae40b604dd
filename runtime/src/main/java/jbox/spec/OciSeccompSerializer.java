package jbox.spec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import jbox.security.SeccompAction;
import jbox.security.SeccompProfile;

/**
 * Writes a SeccompProfile as the OCI config's linux.seccomp object (defaultAction,
 * defaultErrnoRet, architectures, syscalls), so `jbox run --dry-run` prints what
 * OciConfig.read (through SeccompProfileReader) reads back. The profile's source is not part of
 * the format and is not written.
 */
final class OciSeccompSerializer extends StdSerializer<SeccompProfile> {
    OciSeccompSerializer() {
        super(SeccompProfile.class);
    }

    @Override
    public void serialize(SeccompProfile profile, JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeStartObject();
        action(g, "defaultAction", "defaultErrnoRet", profile.defaultAction());
        g.writeArrayFieldStart("architectures");
        for (String arch : profile.architectures()) {
            g.writeString(arch);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("syscalls");
        for (SeccompProfile.Rule rule : profile.rules()) {
            g.writeStartObject();
            g.writeArrayFieldStart("names");
            for (String name : rule.names()) {
                g.writeString(name);
            }
            g.writeEndArray();
            action(g, "action", "errnoRet", rule.action());
            if (!rule.args().isEmpty()) {
                g.writeArrayFieldStart("args");
                for (SeccompProfile.ArgCondition c : rule.args()) {
                    g.writeStartObject();
                    g.writeNumberField("index", c.index());
                    g.writeFieldName("value");
                    g.writeNumber(Long.toUnsignedString(c.value()));
                    g.writeFieldName("valueTwo");
                    g.writeNumber(Long.toUnsignedString(c.valueTwo()));
                    g.writeStringField("op", "SCMP_CMP_" + c.op().name());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void action(JsonGenerator g, String field, String errnoField, SeccompAction a) throws IOException {
        g.writeStringField(field, "SCMP_ACT_" + a.kind().name());
        if (a.kind() == SeccompAction.Kind.ERRNO) {
            g.writeNumberField(errnoField, a.errno());
        }
    }
}
