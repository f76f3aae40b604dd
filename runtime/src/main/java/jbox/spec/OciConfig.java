package jbox.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.security.SeccompProfile;
import jbox.security.SeccompProfileReader;

/**
 * An OCI bundle's config.json as a ContainerSpec, and a ContainerSpec as config.json: one shape
 * for `jbox create`, `jbox run --dry-run` and the config.json jbox keeps for inspect.
 *
 * Properties the runtime-spec does not define are ignored and named to the caller (config.md,
 * "Extensibility": a runtime MUST NOT fail on an unknown property and MUST ignore it); fields jbox
 * knows of and cannot honour (OciUnsupported) and values that break the spec's rules
 * (OciValidation) are one-line errors naming the field's path.
 * linux.seccomp is read by SeccompProfileReader from the file's own bytes, so its errors carry
 * the file's line and column.
 */
public final class OciConfig {
    public static final String FILE = "config.json";

    private OciConfig() {
    }

    /** Built on first use: an ObjectMapper costs ~25 ms, which `jbox run` does not pay. */
    private static final class Json {
        static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(SerializationFeature.INDENT_OUTPUT)
                .build();
    }

    /** BUNDLE/config.json, validated, with root.path made absolute against the bundle. */
    public static ContainerSpec read(Path bundle) throws JboxException {
        return read(bundle, ignored -> { });
    }

    /**
     * As {@link #read(Path)}; each unknown property's path ("linux.foo") goes to {@code ignored}, and
     * each known one jbox ignores as runc does, as "path: why" ("linux.resources.memory.kernel: ...").
     */
    public static ContainerSpec read(Path bundle, Consumer<String> ignored) throws JboxException {
        Path file = bundle.resolve(FILE);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + IoReason.of(e), e);
        }
        return parse(bytes, bundle.toAbsolutePath(), ignored);
    }

    /** The config's bytes as read from {@code bundle}/config.json. */
    static ContainerSpec parse(byte[] bytes, Path bundle) throws JboxException {
        return parse(bytes, bundle, ignored -> { });
    }

    static ContainerSpec parse(byte[] bytes, Path bundle, Consumer<String> ignored) throws JboxException {
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new JboxException(FILE + ": cannot parse: " + IoReason.of(e), e);
        }
        if (!(tree instanceof ObjectNode root)) {
            throw new JboxException(FILE + ": expected a json object at the top level");
        }
        JsonNode seccompAsWritten = root.path("linux").path("seccomp").deepCopy();
        OciUnsupported.check(root, ignored);
        SeccompProfile seccomp = null;
        JsonNode linux = root.get("linux");
        if (linux instanceof ObjectNode l && l.has("seccomp")) {
            JsonNode node = l.remove("seccomp");
            if (!node.isNull()) {
                // The file's own bytes keep line numbers in errors; re-serialized if empty unsupported fields were dropped.
                byte[] json = node.equals(seccompAsWritten) ? only(bytes, seccompRange(bytes)) : bytes(node);
                seccomp = SeccompProfileReader.read(json, FILE + " linux.seccomp",
                        field -> ignored.accept("linux.seccomp" + (field.isEmpty() ? "" : "." + field)));
            }
        }
        ContainerSpec spec;
        try {
            spec = Json.MAPPER.readerFor(ContainerSpec.class).withHandler(new UnknownProperties(ignored)).readValue(root);
        } catch (JsonMappingException e) {
            throw new JboxException(FILE + ": " + path(e.getPath()) + ": invalid value: " + reason(e), e);
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new JboxException(FILE + ": cannot parse: " + IoReason.of(e), e);
        }
        return OciValidation.validate(withSeccomp(spec, seccomp), bundle);
    }

    /**
     * runc exec's --process FILE: a runtime-spec process object, checked as config.json's process
     * is (errors name the file). As runc, capabilities and rlimits the file leaves out are the
     * container's ({@code container}).
     */
    public static ContainerSpec.Process readProcess(Path file, ContainerSpec.Process container, Consumer<String> ignored)
            throws JboxException {
        try {
            JsonNode tree = Json.MAPPER.readTree(Files.readAllBytes(file));
            if (!(tree instanceof ObjectNode process)) {
                throw new JboxException(file + ": expected a json object (a runtime-spec process)");
            }
            boolean ownCaps = process.hasNonNull("capabilities");
            boolean ownRlimits = process.hasNonNull("rlimits");
            ObjectNode wrapped = Json.MAPPER.createObjectNode();
            wrapped.set("process", process);
            OciUnsupported.check(wrapped, ignored);
            ContainerSpec.Process p = OciValidation.process(Json.MAPPER.readerFor(ContainerSpec.Process.class)
                    .withHandler(new UnknownProperties(ignored)).readValue(wrapped.get("process")));
            return new ContainerSpec.Process(p.terminal(), p.user(), p.args(), p.env(), p.cwd(),
                    ownCaps ? p.capabilities() : container.capabilities(), p.noNewPrivileges(),
                    ownRlimits ? p.rlimits() : container.rlimits(), p.oomScoreAdj());
        } catch (JsonProcessingException e) {
            throw new JboxException(file + ": " + reason(e), e);
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + IoReason.of(e), e);
        } catch (JboxException e) {
            throw e.getMessage().startsWith(FILE + ": ")
                    ? new JboxException(file + ": " + e.getMessage().substring(FILE.length() + 2), e) : e;
        }
    }

    /** The spec as config.json's text, the same shape read() reads (streamed: see OciConfigWriter). */
    public static String json(ContainerSpec spec) throws JboxException {
        return OciConfigWriter.json(spec);
    }

    /** Writes the spec to {@code file} (temp + rename: a reader never sees half a file). */
    public static void write(ContainerSpec spec, Path file) throws JboxException {
        OciConfigWriter.write(spec, file);
    }

    private static byte[] bytes(JsonNode node) throws JboxException {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new JboxException(FILE + ": linux.seccomp: " + reason(e), e);
        }
    }

    private static ContainerSpec withSeccomp(ContainerSpec s, SeccompProfile seccomp) {
        ContainerSpec.Linux l = s.linux();
        if (seccomp == null || l == null) {
            return s;
        }
        return new ContainerSpec(s.ociVersion(), s.process(), s.root(), s.hostname(), s.mounts(),
                new ContainerSpec.Linux(l.namespaces(), l.uidMappings(), l.gidMappings(), l.resources(), l.cgroupsPath(),
                        seccomp, l.maskedPaths(), l.readonlyPaths(), l.rootfsPropagation(), l.sysctl(), l.devices()),
                s.annotations(), s.hooks());
    }

    /** Byte offsets [start, end) of the linux.seccomp object in the file. */
    private static long[] seccompRange(byte[] bytes) throws JboxException {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(bytes)) {
            p.nextToken();
            if (field(p, "linux") && field(p, "seccomp")) {
                long start = p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                return new long[] {start, p.currentLocation().getByteOffset()};
            }
        } catch (IOException e) {
            throw new JboxException(FILE + ": cannot parse: " + IoReason.of(e), e);
        }
        throw new JboxException(FILE + ": linux.seccomp: must be an object");
    }

    /** Moves the parser, positioned on an object's start, to the value of its field {@code name}. */
    private static boolean field(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return false;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean match = p.currentName().equals(name);
            p.nextToken();
            if (match) {
                return true;
            }
            p.skipChildren();
        }
        return false;
    }

    /**
     * The file with everything outside [start, end) blanked (newlines kept): parsed alone, the
     * seccomp object keeps its line and column numbers in error messages.
     */
    private static byte[] only(byte[] bytes, long[] range) {
        byte[] out = Arrays.copyOf(bytes, bytes.length);
        for (int i = 0; i < out.length; i++) {
            if ((i < range[0] || i >= range[1]) && out[i] != '\n') {
                out[i] = ' ';
            }
        }
        return out;
    }

    /** Skips a property ContainerSpec has no field for and names it ("process.user.foo"). */
    private static final class UnknownProperties extends DeserializationProblemHandler {
        private final Consumer<String> sink;

        UnknownProperties(Consumer<String> sink) {
            this.sink = sink;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                Object beanOrClass, String propertyName) throws IOException {
            JsonStreamContext at = p.getParsingContext();
            if (p.currentToken() == JsonToken.START_OBJECT || p.currentToken() == JsonToken.START_ARRAY) {
                at = at.getParent(); // the value's own context has begun: its parent holds the name
            }
            sink.accept(dotted(at));
            p.skipChildren();
            return true;
        }

        private static String dotted(JsonStreamContext at) {
            List<String> parts = new ArrayList<>();
            for (JsonStreamContext c = at; c != null && !c.inRoot(); c = c.getParent()) {
                String name = c.inArray() ? "[" + c.getCurrentIndex() + "]" : c.getCurrentName();
                if (name != null) { // the tree parser's outermost object context has no name
                    parts.add(0, name);
                }
            }
            StringBuilder b = new StringBuilder();
            for (String part : parts) {
                b.append(b.length() == 0 || part.startsWith("[") ? "" : ".").append(part);
            }
            return b.toString();
        }
    }

    /** "process.capabilities.bounding[2]" from Jackson's reference chain. */
    static String path(List<JsonMappingException.Reference> refs) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.length() == 0 ? "(top level)" : b.toString();
    }

    private static JboxException syntaxError(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        return new JboxException(FILE + ": invalid json: " + reason(e)
                + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
    }

    private static final Pattern TYPE = Pattern.compile("`([^`]+)`");

    /** What a Java type is in json terms, for messages ("a number", not `long`). */
    private static String kind(String javaType) {
        String t = javaType.replaceAll("<.*", "");
        return switch (t) {
            case "long", "int", "java.lang.Long", "java.lang.Integer" -> "a number";
            case "boolean", "java.lang.Boolean" -> "true or false";
            case "java.lang.String" -> "a string";
            case "java.util.List", "java.util.ArrayList" -> "an array";
            default -> t.startsWith("java.util.") || t.startsWith("jbox.") ? "an object" : t;
        };
    }

    /** Jackson's message: first line, without its source excerpt and class names, lowercase start. */
    private static String reason(JsonProcessingException e) {
        String why = e.getOriginalMessage().lines().findFirst().orElse("malformed");
        int marker = why.indexOf(" (start marker at");
        why = marker < 0 ? why : why.substring(0, marker);
        int hint = why.indexOf(" (set DeserializationConfig");
        why = hint < 0 ? why : why.substring(0, hint);
        Matcher type = TYPE.matcher(why);
        StringBuilder b = new StringBuilder();
        while (type.find()) {
            type.appendReplacement(b, Matcher.quoteReplacement(kind(type.group(1))));
        }
        type.appendTail(b);
        why = b.toString();
        if (why.startsWith("Cannot deserialize value of type ")) {
            // "Cannot deserialize value of type `long` from String "x": not a valid..." → "expected a number, got String "x""
            why = why.substring("Cannot deserialize value of type ".length()).replaceFirst(" from ", ", got ")
                    .replaceFirst("(: | \\(token ).*", "");
            why = "expected " + why;
        }
        return why.isEmpty() ? why : Character.toLowerCase(why.charAt(0)) + why.substring(1);
    }
}
