package jbox.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * Where seccomp filters come from: `--security-opt seccomp=FILE`, or jbox's default profile,
 * which ships in the jar (the runtime build copies the top-level config/ to jbox/config/).
 * Both are read and compiled on every start: the default takes ~5 ms in a fresh JVM with jbox's
 * AppCDS archive (measured with the launcher's flags; most of it is running cold code).
 */
public final class SeccompProfiles {
    public static final String DEFAULT_RESOURCE = "/jbox/config/seccomp-default.json";
    /** How errors name the default profile. */
    private static final String DEFAULT_NAME = "jbox/config/seccomp-default.json (built in)";

    private SeccompProfiles() {
    }

    /** The compiled profile in {@code file}, a profile in docker's format. */
    public static SeccompProgram load(Path file) throws JboxException {
        return SeccompCompiler.compile(read(file));
    }

    /** The compiled default profile: an allowlist for untrusted programs. */
    public static SeccompProgram loadDefault() throws JboxException {
        return SeccompCompiler.compile(readDefault());
    }

    public static SeccompProfile read(Path file) throws JboxException {
        byte[] json;
        try {
            json = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new JboxException("seccomp profile " + file + ": no such file", e);
        } catch (IOException e) {
            throw new JboxException("seccomp profile " + file + ": cannot read: " + IoReason.of(e), e);
        }
        return SeccompProfileReader.read(json, file.toString());
    }

    public static SeccompProfile readDefault() throws JboxException {
        try (InputStream in = SeccompProfiles.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new JboxException("seccomp profile " + DEFAULT_RESOURCE + ": missing from the jar");
            }
            return SeccompProfileReader.read(in.readAllBytes(), DEFAULT_NAME);
        } catch (IOException e) {
            throw new JboxException("seccomp profile " + DEFAULT_RESOURCE + ": cannot read: " + IoReason.of(e), e);
        }
    }
}
