package jbox.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jbox.JboxException;
import jbox.io.IoReason;
import jbox.security.SeccompProfile.ArgCondition;
import jbox.security.SeccompProfile.Op;
import jbox.security.SeccompProfile.Rule;

/**
 * Reads a seccomp profile in docker's JSON format with Jackson's streaming parser: this runs on
 * every `jbox run`, where an ObjectMapper would cost ~25 ms to set up.
 *
 * Strict on purpose: a field jbox does not understand could be a restriction the user expects and
 * would silently not get, so unknown fields are errors. Docker's conditional rules
 * (includes/excludes: "only with capability X, on kernel Y") are refused unless empty, for the
 * same reason; comments are skipped. Every error names the profile, the field's path and its line
 * and column.
 */
public final class SeccompProfileReader {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final JsonParser parser;
    private final String source;
    /** Where unknown fields go instead of failing (an OCI config's), or null: strict. */
    private final Consumer<String> unknownFields;

    private SeccompProfileReader(JsonParser parser, String source, Consumer<String> unknownFields) {
        this.parser = parser;
        this.source = source;
        this.unknownFields = unknownFields;
    }

    /** @param source the file or resource the bytes came from, for error messages */
    public static SeccompProfile read(byte[] json, String source) throws JboxException {
        return read(json, source, null);
    }

    /**
     * As {@link #read(byte[], String)}, but fields the format does not define are skipped and named
     * to {@code unknownFields} (the OCI runtime-spec's rule for config.json) instead of failing.
     * Fields jbox knows of and cannot honour still fail.
     */
    public static SeccompProfile read(byte[] json, String source, Consumer<String> unknownFields) throws JboxException {
        try (JsonParser parser = JSON.createParser(json)) {
            SeccompProfileReader reader = new SeccompProfileReader(parser, source, unknownFields);
            SeccompProfile profile = reader.profile();
            if (parser.nextToken() != null) {
                throw reader.error("", "unexpected content after the profile's object");
            }
            return profile;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String why = e.getOriginalMessage().lines().findFirst().orElse("malformed");
            // Jackson appends where an unclosed object began, with a placeholder for the source: noise here.
            int marker = why.indexOf(" (start marker at");
            why = marker < 0 ? why : why.substring(0, marker);
            throw new JboxException("seccomp profile " + source + ": invalid json: " + lowerFirst(why)
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"), e);
        } catch (IOException e) {
            throw new JboxException("seccomp profile " + source + ": cannot read: " + IoReason.of(e), e);
        }
    }

    private SeccompProfile profile() throws IOException, JboxException {
        expect(parser.nextToken(), JsonToken.START_OBJECT, "", "a json object");
        String defaultAction = null;
        int defaultErrno = -1;
        JsonLocation defaultAt = null;
        JsonLocation defaultErrnoAt = null;
        List<String> architectures = List.of();
        List<Rule> rules = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonLocation fieldAt = parser.currentTokenLocation();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "defaultAction" -> {
                    defaultAt = parser.currentTokenLocation();
                    defaultAction = string(field);
                }
                case "defaultErrnoRet" -> {
                    defaultErrnoAt = parser.currentTokenLocation();
                    defaultErrno = errno(field);
                }
                case "architectures" -> architectures = architectures(field);
                // Docker maps the host's architecture to extra ones (x86_64 to x86 and x32). jbox
                // compiles for x86_64 only and refuses every other ABI, so the map changes nothing.
                case "archMap" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_ARRAY, field, "an array");
                        parser.skipChildren();
                    }
                }
                case "syscalls" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_ARRAY, field, "an array");
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            rules.add(rule(element(field, rules.size())));
                        }
                    }
                }
                case "comment" -> parser.skipChildren();
                default -> unknownField(field, field, fieldAt);
            }
        }
        if (defaultAction == null) {
            throw error("", "missing required field 'defaultAction'");
        }
        SeccompAction action = action(defaultAction, defaultAt, "defaultAction", defaultErrno, defaultErrnoAt, "defaultErrnoRet");
        return new SeccompProfile(source, action, architectures, rules);
    }

    private Rule rule(String where) throws IOException, JboxException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, where, "an object");
        List<String> names = new ArrayList<>();
        String action = null;
        JsonLocation actionAt = null;
        int errno = -1;
        JsonLocation errnoAt = null;
        List<ArgCondition> args = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            String path = child(where, field);
            JsonLocation fieldAt = parser.currentTokenLocation();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "names" -> names.addAll(strings(path));
                // Docker's older single-name form.
                case "name" -> names.add(string(path));
                case "action" -> {
                    actionAt = parser.currentTokenLocation();
                    action = string(path);
                }
                case "errnoRet" -> {
                    errnoAt = parser.currentTokenLocation();
                    errno = errno(path);
                }
                case "args" -> {
                    if (value != JsonToken.VALUE_NULL) {
                        expect(value, JsonToken.START_ARRAY, path, "an array");
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            args.add(condition(element(path, args.size())));
                        }
                    }
                }
                case "comment" -> parser.skipChildren();
                case "includes", "excludes" -> {
                    JsonLocation at = parser.currentTokenLocation();
                    if (hasContent()) {
                        throw error(path, at, "field '" + field + "' (conditional rules) is not supported");
                    }
                }
                default -> unknownField(field, path, fieldAt);
            }
        }
        if (names.isEmpty()) {
            throw error(where, "a rule needs 'names' with at least one system call");
        }
        if (action == null) {
            throw error(where, "missing required field 'action'");
        }
        return new Rule(names, action(action, actionAt, child(where, "action"), errno, errnoAt, child(where, "errnoRet")), args);
    }

    private ArgCondition condition(String where) throws IOException, JboxException {
        expect(parser.currentToken(), JsonToken.START_OBJECT, where, "an object");
        int index = -1;
        long value = 0;
        long valueTwo = 0;
        Op op = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            String path = child(where, field);
            JsonLocation fieldAt = parser.currentTokenLocation();
            parser.nextToken();
            switch (field) {
                case "index" -> {
                    long i = uint64(path);
                    if (i > ArgCondition.MAX_INDEX) {
                        throw error(path, "argument index " + Long.toUnsignedString(i)
                                + " is out of range: system calls have arguments 0.." + ArgCondition.MAX_INDEX);
                    }
                    index = (int) i;
                }
                case "value" -> value = uint64(path);
                case "valueTwo" -> valueTwo = uint64(path);
                case "op" -> op = op(path);
                default -> unknownField(field, path, fieldAt);
            }
        }
        // A missing index would silently test argument 0; a missing op has no meaning.
        if (index < 0) {
            throw error(where, "missing required field 'index'");
        }
        if (op == null) {
            throw error(where, "missing required field 'op'");
        }
        return new ArgCondition(index, op, value, valueTwo);
    }

    private Op op(String where) throws IOException, JboxException {
        String name = string(where);
        return switch (name) {
            case "SCMP_CMP_NE" -> Op.NE;
            case "SCMP_CMP_LT" -> Op.LT;
            case "SCMP_CMP_LE" -> Op.LE;
            case "SCMP_CMP_EQ" -> Op.EQ;
            case "SCMP_CMP_GE" -> Op.GE;
            case "SCMP_CMP_GT" -> Op.GT;
            case "SCMP_CMP_MASKED_EQ" -> Op.MASKED_EQ;
            default -> throw error(where, "unknown comparison '" + name + "', expected SCMP_CMP_NE, SCMP_CMP_LT, "
                    + "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or SCMP_CMP_MASKED_EQ");
        };
    }

    /** The action named {@code name}; {@code errno} (-1: not given) belongs to SCMP_ACT_ERRNO only. */
    private SeccompAction action(String name, JsonLocation at, String where, int errno, JsonLocation errnoAt,
            String errnoWhere) throws JboxException {
        SeccompAction.Kind kind = switch (name) {
            case "SCMP_ACT_ALLOW" -> SeccompAction.Kind.ALLOW;
            case "SCMP_ACT_ERRNO" -> SeccompAction.Kind.ERRNO;
            // libseccomp's SCMP_ACT_KILL has always meant killing the calling thread only.
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> SeccompAction.Kind.KILL_THREAD;
            case "SCMP_ACT_KILL_PROCESS" -> SeccompAction.Kind.KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> SeccompAction.Kind.TRAP;
            case "SCMP_ACT_LOG" -> SeccompAction.Kind.LOG;
            case "SCMP_ACT_NOTIFY" -> SeccompAction.Kind.NOTIFY;
            default -> throw error(where, at, "unknown action '" + name + "', expected SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, "
                    + "SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_LOG "
                    + "or SCMP_ACT_NOTIFY");
        };
        if (kind != SeccompAction.Kind.ERRNO) {
            if (errno >= 0) {
                throw error(errnoWhere, errnoAt, "an errno only goes with SCMP_ACT_ERRNO, not " + name);
            }
            return SeccompAction.of(kind);
        }
        // Docker's default when a profile gives none: EPERM.
        return SeccompAction.errno(errno < 0 ? SeccompAction.EPERM : errno);
    }

    private List<String> architectures(String where) throws IOException, JboxException {
        List<String> names = strings(where);
        for (String name : names) {
            if (!name.startsWith("SCMP_ARCH_") || name.length() == "SCMP_ARCH_".length()) {
                throw error(where, "'" + name + "' is not an architecture (SCMP_ARCH_X86_64, ...)");
            }
        }
        return names;
    }

    private int errno(String where) throws IOException, JboxException {
        long errno = uint64(where);
        if (errno > SeccompAction.MAX_ERRNO) {
            throw error(where, "errno " + Long.toUnsignedString(errno) + " is out of range 0.." + SeccompAction.MAX_ERRNO);
        }
        return (int) errno;
    }

    /**
     * A JSON integer in 0..2^64-1, returned as the long with the same 64 bits. Parsed from the
     * token's text: Jackson's own number parsing compiles a regular expression when first used,
     * which costs milliseconds on the start path.
     */
    private long uint64(String where) throws IOException, JboxException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw error(where, "expected an unsigned integer");
        }
        String digits = parser.getText();
        try {
            if (!digits.startsWith("-")) {
                return Long.parseUnsignedLong(digits);
            }
        } catch (NumberFormatException e) {
            // Too large: reported below.
        }
        throw error(where, digits + " is not an unsigned 64-bit value");
    }

    private String string(String where) throws IOException, JboxException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw error(where, "expected a string");
        }
        return parser.getText();
    }

    private List<String> strings(String where) throws IOException, JboxException {
        List<String> values = new ArrayList<>();
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return values;
        }
        expect(parser.currentToken(), JsonToken.START_ARRAY, where, "an array of strings");
        // The default profile's ~300 names pass here: the path is only built for an error.
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (token != JsonToken.VALUE_STRING) {
                throw error(element(where, values.size()), "expected a string");
            }
            values.add(parser.getText());
        }
        return values;
    }

    /** Consumes the current value; whether it holds anything but nulls, "" and empty containers. */
    private boolean hasContent() throws IOException {
        JsonToken token = parser.currentToken();
        boolean content = false;
        if (token == JsonToken.START_ARRAY) {
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                content |= hasContent();
            }
        } else if (token == JsonToken.START_OBJECT) {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                parser.nextToken();
                content |= hasContent();
            }
        } else if (token == JsonToken.VALUE_STRING) {
            content = !parser.getText().isEmpty();
        } else {
            content = token != JsonToken.VALUE_NULL;
        }
        return content;
    }

    // Paths are built without `+`: every string concatenation site bootstraps an invokedynamic call
    // the first time it runs, and these run for every field on every start.
    private static String child(String parent, String field) {
        return new StringBuilder(parent.length() + 1 + field.length()).append(parent).append('.').append(field).toString();
    }

    private static String element(String parent, int index) {
        return new StringBuilder(parent.length() + 4).append(parent).append('[').append(index).append(']').toString();
    }

    private void expect(JsonToken token, JsonToken wanted, String where, String what) throws JboxException {
        if (token != wanted) {
            throw error(where, "expected " + what);
        }
    }

    /** The parser is on the field's value: skips it when unknown fields are collected, else fails. */
    private void unknownField(String field, String where, JsonLocation at) throws IOException, JboxException {
        // Docker fields jbox knows of but does not implement (filter flags, a notification listener).
        boolean docker = field.equals("flags") || field.equals("listenerPath") || field.equals("listenerMetadata");
        if (docker) {
            throw error(where, at, "field '" + field + "' is not supported");
        }
        if (unknownFields == null) {
            throw error(where, at, "unknown field '" + field + "'");
        }
        unknownFields.accept(where);
        parser.skipChildren();
    }

    private JboxException error(String where, String problem) {
        return error(where, parser.currentTokenLocation(), problem);
    }

    private JboxException error(String where, JsonLocation at, String problem) {
        StringBuilder m = new StringBuilder("seccomp profile ").append(source).append(": ").append(problem).append(" (");
        if (!where.isEmpty()) {
            m.append(where).append(", ");
        }
        return new JboxException(m.append("line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr())
                .append(')').toString());
    }

    private static String lowerFirst(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
