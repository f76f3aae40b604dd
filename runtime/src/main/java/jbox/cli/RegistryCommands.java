package jbox.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.image.ImageException;
import jbox.image.ImageName;
import jbox.image.ImageStore;
import jbox.registry.ImagePull;
import jbox.registry.ImagePush;
import jbox.registry.RegistryLogin;
import jbox.registry.RegistrySettings;
import jbox.registry.TransferDisplay;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox pull`, `jbox push`, `jbox login`, `jbox logout`: images to and from registries (jbox.registry
 * speaks the OCI distribution API). What they print is written in {@link #report} and the
 * {@link TransferDisplay} (progress, stderr, on a terminal only), nowhere else.
 */
final class RegistryCommands {
    private RegistryCommands() {
    }

    static RegistrySettings settings(Config c) throws JboxException {
        List<String> insecure = Arrays.asList(c.get("registry.insecure").split(","));
        long parallel = c.getLong("registry.max_downloads");
        if (parallel < 1 || parallel > 64) {
            throw new JboxException("config key registry.max_downloads must be 1..64, not " + parallel);
        }
        return new RegistrySettings(insecure, Path.of(c.get("registry.auth_file")),
                HostRoots.dataRoot(c).resolve("downloads"), (int) parallel);
    }

    /** Progress lines on the caller's stderr when it talks to a terminal (TerminalProgress's rule). */
    private static TransferDisplay display(Request r) {
        return new TransferDisplay(r.err(), r.terminals().console());
    }

    /** The one place these commands print their result. */
    private static void report(PrintStream out, String line) {
        out.println(line);
    }

    static ImagePull.Result pull(Request r, Config c, String name, String platform) throws JboxException {
        ImageCommand.zstdDirectory(c);
        try {
            return new ImagePull(settings(c), ImageCommand.limits(c), ImageCommand.shift(c), display(r))
                    .pull(ImageCommand.store(c), name, platform);
        } catch (ImageException e) {
            throw new JboxException("pull " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * `jbox run --pull missing|always|never` (default missing): a missing image is pulled only when
     * its name says where it lives (REGISTRY/NAME, USER/NAME, NAME@DIGEST), so `jbox run NAME` of a
     * local-only name never reaches out to Docker Hub by accident. Pull output goes to stderr.
     */
    static void beforeRun(Request r, Config c, String image, String policy) throws JboxException {
        if (image == null || policy == null && image.indexOf('/') < 0 && image.indexOf('@') < 0) {
            return; // the hot path: a plain local name, nothing to parse here
        }
        String p = policy == null ? "missing" : policy;
        if (!p.equals("missing") && !p.equals("always") && !p.equals("never")) {
            throw new JboxException("invalid --pull " + policy + ": expected missing, always or never");
        }
        if (p.equals("never")) {
            return;
        }
        try {
            if (p.equals("missing") && (!ImageName.parse(image).isRemoteForm() || ImageCommand.store(c).exists(image))) {
                return;
            }
        } catch (ImageException e) {
            throw new JboxException(e.getMessage(), e);
        }
        ImagePull.Result pulled = pull(r, c, image, null);
        report(r.err(), (pulled.upToDate() ? image + " is up to date (" : "pulled " + image + " (") + pulled.manifest() + ")");
    }

    @Command(name = "pull", description = {"Pull an image from a registry: [REGISTRY/]NAME[:TAG|@DIGEST].",
            "Without a registry: Docker Hub (docker.io, library/ for one-word names)."}, mixinStandardHelpOptions = true)
    static final class Pull extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]",
                description = "Which image of a multi-platform index (default: this machine's, e.g. linux/amd64).")
        String platform;

        @Override
        public Integer call() throws JboxException {
            ImagePull.Result r = pull(request, config(), name, platform);
            report(out(), (r.upToDate() ? name + " is up to date (" : "pulled " + r.meta().name() + " (")
                    + r.manifest() + ")");
            return 0;
        }
    }

    @Command(name = "push", description = {"Push a stored image to a registry, as DEST or under its own name",
            "([REGISTRY/]NAME[:TAG]); it is exported as one gzip layer first."}, mixinStandardHelpOptions = true)
    static final class Push extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE")
        String image;

        @Parameters(index = "1", arity = "0..1", paramLabel = "DEST")
        String dest;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            try {
                ImagePush.Result r = new ImagePush(settings(c), display(request)).push(ImageCommand.store(c), image, dest);
                report(out(), "pushed " + r.destination() + " (" + r.manifest() + ")");
                return 0;
            } catch (ImageException e) {
                throw new JboxException("push " + image + ": " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "login", description = {"Check and store credentials for a registry (default: docker.io),",
            "root-only, in registry.auth_file (docker's config.json format)."}, mixinStandardHelpOptions = true)
    static final class Login extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REGISTRY")
        String registry;

        @Option(names = {"-u", "--username"}, paramLabel = "USER")
        String user;

        @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD",
                description = "The password (visible to other users in the process list: prefer --password-stdin).")
        String password;

        @Option(names = "--password-stdin", description = "Read the password from stdin (one line).")
        boolean passwordStdin;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            try {
                String r = RegistryLogin.normalize(registry);
                String u = user != null ? user : prompt("username: ", false);
                String pw = password != null ? password : passwordStdin ? stdinLine(request) : prompt("password: ", true);
                if (password != null && passwordStdin) {
                    throw new JboxException("give --password or --password-stdin, not both");
                }
                new RegistryLogin(settings(c)).login(r, u, pw);
                report(out(), "login succeeded: " + r);
                return 0;
            } catch (ImageException e) {
                throw new JboxException("login " + (registry == null ? "docker.io" : registry) + ": " + e.getMessage(), e);
            }
        }

        private static String stdinLine(Request r) throws JboxException {
            try {
                String all = new String(r.in().readAllBytes(), StandardCharsets.UTF_8);
                return all.endsWith("\n") ? all.substring(0, all.length() - (all.endsWith("\r\n") ? 2 : 1)) : all;
            } catch (IOException e) {
                throw new JboxException("cannot read the password from stdin: " + e.getMessage(), e);
            }
        }

        /**
         * Asks on the terminal with echo off for a secret. Only the cold path's JVM owns the
         * caller's terminal, so the engine hands `login` back to it (EngineCommand.handle).
         */
        private static String prompt(String what, boolean secret) throws JboxException {
            Console console = System.console();
            if (console == null) {
                throw new JboxException("no terminal to ask for the " + what.replace(": ", "")
                        + " (use -u and --password-stdin)");
            }
            String v = secret ? new String(console.readPassword(what)) : console.readLine(what);
            if (v == null) {
                throw new JboxException("no " + what.replace(": ", "") + " given");
            }
            return v;
        }
    }

    @Command(name = "logout", description = "Forget the stored credentials for a registry (default: docker.io).",
            mixinStandardHelpOptions = true)
    static final class Logout extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "REGISTRY")
        String registry;

        @Override
        public Integer call() throws JboxException {
            try {
                String r = RegistryLogin.normalize(registry);
                boolean removed = new RegistryLogin(settings(config())).logout(r);
                report(out(), removed ? "removed the credentials for " + r : "no credentials were stored for " + r);
                return 0;
            } catch (ImageException e) {
                throw new JboxException("logout: " + e.getMessage(), e);
            }
        }
    }
}
