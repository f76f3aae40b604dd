// `--env-file FILE` in docker's format, and `-l KEY[=VALUE]` labels.
package jbox.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * docker's env-file: one KEY=VALUE per line, taken literally (no quotes, no expansion, the value
 * keeps its spaces); a bare KEY takes the caller's value and is left out when the caller has
 * none; blank lines and lines starting with # are skipped; leading whitespace is dropped; a key
 * with whitespace or without a name is an error naming the file and line.
 */
final class EnvFile {
    private EnvFile() {
    }

    static List<String> read(Path file, Map<String, String> callerEnv) throws JboxException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw new JboxException("--env-file " + file + ": not UTF-8 text", e);
        } catch (IOException e) {
            throw new JboxException("cannot read --env-file " + file + ": " + IoReason.of(e), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].stripLeading();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String key = eq < 0 ? line : line.substring(0, eq);
            if (key.isEmpty()) {
                throw new JboxException("--env-file " + file + " line " + (n + 1) + ": no variable name");
            }
            if (key.chars().anyMatch(Character::isWhitespace)) {
                throw new JboxException("--env-file " + file + " line " + (n + 1) + ": variable \"" + key + "\" contains whitespace");
            }
            if (eq >= 0) {
                out.add(line);
            } else if (callerEnv.get(key) != null) {
                out.add(key + "=" + callerEnv.get(key));
            }
        }
        return out;
    }

    /** -l KEY=VALUE or -l KEY (an empty value), as docker; KEY=VALUE each. */
    static List<String> labels(List<String> flags) throws JboxException {
        List<String> out = new ArrayList<>();
        for (String l : flags) {
            int eq = l.indexOf('=');
            String key = eq < 0 ? l : l.substring(0, eq);
            if (key.isBlank()) {
                throw new JboxException("invalid label \"" + l + "\": expected KEY=VALUE");
            }
            out.add(eq < 0 ? l + "=" : l);
        }
        return out;
    }
}
