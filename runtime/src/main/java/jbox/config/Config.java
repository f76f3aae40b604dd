package jbox.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import jbox.JboxException;
import jbox.io.IoReason;

/**
 * jbox's settings: the defaults shipped in config/jbox.properties, overridden by
 * /etc/jbox/jbox.properties, then by the file in $JBOX_CONFIG. Every path and size jbox uses
 * comes from here. A properties file, not JSON: it is read on every start and costs nothing.
 */
public final class Config {
    static final Path SYSTEM_FILE = Path.of("/etc/jbox/jbox.properties");

    private final Properties values;

    Config(Properties values) {
        this.values = values;
    }

    /** The built-in defaults, read from the jar once: every load starts from a copy. */
    private static final class Defaults {
        static final Properties VALUES = read();

        private static Properties read() {
            Properties p = new Properties();
            try (InputStream in = Config.class.getResourceAsStream("/jbox/config/jbox.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                return null;
            }
            return p.isEmpty() ? null : p;
        }
    }

    /**
     * The configuration a caller sees: the defaults, /etc/jbox/jbox.properties, then
     * {@code jboxConfig} (the caller's $JBOX_CONFIG; null or empty: none).
     */
    public static Config load(String jboxConfig) throws JboxException {
        if (Defaults.VALUES == null) {
            throw new JboxException("built-in defaults jbox/config/jbox.properties are missing from the jar or unreadable");
        }
        Properties p = new Properties();
        p.putAll(Defaults.VALUES);
        overlay(p, SYSTEM_FILE);
        if (jboxConfig != null && !jboxConfig.isEmpty()) {
            Path file = Path.of(jboxConfig);
            if (!Files.isRegularFile(file)) {
                throw new JboxException("config file " + file + " (from JBOX_CONFIG) does not exist");
            }
            overlay(p, file);
        }
        return new Config(p);
    }

    private static void overlay(Properties p, Path file) throws JboxException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new JboxException("cannot read config file " + file + ": " + IoReason.of(e), e);
        }
    }

    public String get(String key) throws JboxException {
        String v = values.getProperty(key);
        if (v == null) {
            throw new JboxException("config key " + key + " is not set");
        }
        return v.trim();
    }

    public long getLong(String key) throws JboxException {
        String v = get(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new JboxException("config key " + key + " is not a number: " + v);
        }
    }

    public boolean getBoolean(String key) throws JboxException {
        String v = get(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new JboxException("config key " + key + " must be true or false, not " + v);
        }
        return v.equals("true");
    }

    public Path stateRoot() throws JboxException {
        return Path.of(get("state.root"));
    }

    public Path dataRoot() throws JboxException {
        return Path.of(get("data.root"));
    }

    public Path imagesDir() throws JboxException {
        return dataRoot().resolve("images");
    }

    public Path containersDir() throws JboxException {
        return dataRoot().resolve("containers");
    }
}
