package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import jbox.JboxException;
import jbox.config.Config;
import jbox.engine.Call;
import jbox.engine.Engine;
import jbox.engine.EngineCgroup;
import jbox.io.FileModes;
import jbox.io.LockFile;
import jbox.process.ShimStarter;
import jbox.rootfs.TreeDeletion;
import jbox.runtime.Caller;
import jbox.runtime.ProcessSignals;
import jbox.runtime.ProcessStart;
import jbox.spec.Durations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `jbox engine [--socket PATH]` serves the front end in the foreground (for systemd or a
 * supervisor; the front end starts it detached when its socket is missing); `jbox engine status`
 * and `jbox engine stop`. Each call the engine receives runs through Main.execute as a Request
 * of its own. Always a cold command: the engine never serves `engine`.
 */
@Command(name = "engine", description = "Run the resident engine in the foreground, or show or stop it.",
        mixinStandardHelpOptions = true)
final class EngineCommand extends RequestCommand implements Callable<Integer> {
    @Option(names = "--socket", paramLabel = "PATH",
            description = "The socket (default: $JBOX_ENGINE_SOCKET, else one per namespace set under /run/jbox/engine).")
    Path socket;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", description = "status or stop (default: serve).")
    String action;

    @Override
    public Integer call() throws JboxException {
        Path s = socket != null ? request.resolve(socket) : Engine.socketFor(request.env("JBOX_ENGINE_SOCKET"));
        if (action == null) {
            return serve(s);
        }
        return switch (action) {
            case "status" -> status(s);
            case "stop" -> stop(s);
            default -> throw new JboxException("unknown engine action " + action + " (use status or stop)");
        };
    }

    private int serve(Path s) throws JboxException {
        Config config = config();
        long idle = Durations.millis("engine.idle", config.get("engine.idle"));
        String cgroupParent = config.get("engine.cgroup");
        String image = config.get("image.default");
        Path rootfs = config.imagesDir().resolve(image).resolve("rootfs");
        PrintStream log = request.err();
        return Engine.serve(s, EngineCommand::handle, idle,
                () -> EngineCgroup.join(cgroupParent, cgroupName(s), log),
                () -> warmUp(request.env(), image, rootfs, cgroupName(s).substring("engine-".length()), log), log);
    }

    /** One call of a front end, run as any other request; `engine` itself, after any global flags, is the cold path's. */
    static int handle(Call call) {
        try {
            List<String> rest = new GlobalFlags().strip(call.args(), call.cwd());
            // login prompts on the caller's own terminal with echo off: only the cold path's JVM has it
            if (!rest.isEmpty() && (rest.get(0).equals("engine") || rest.get(0).equals("login"))) {
                return Call.FALLBACK;
            }
        } catch (JboxException e) {
            // Main.execute words it
        }
        Request.Terminals t = new Request.Terminals(call.terminals()[0], call.terminals()[1], call.terminals()[2],
                call.rows(), call.cols());
        return Main.execute(new Request(call.args(), call.in(), call.out(), call.err(), call.env(), call.cwd(), () -> t,
                to -> call.signals().forward(to), Caller.of(call.out(), call.err(), call.shims(), call.afterReply())));
    }

    /**
     * Loads and compiles the hot paths before the first caller: commands that only read, a dry
     * `run` of the default image, and the OCI CLI's spec, create, state, start and delete of a
     * throwaway bundle on that image's rootfs (read-only), with a state root (/run/jbox-warm-TAG)
     * and a cgroup (/jbox-warm-TAG) of its own, all removed after. Nothing of it touches state.root, data.root's containers or
     * cgroup.parent: a caller's `ps` or `system prune` meanwhile never sees a warm-up container.
     */
    private static void warmUp(Map<String, String> env, String image, Path rootfs, String tag, PrintStream log) {
        long t0 = System.nanoTime();
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        List<List<String>> calls = new ArrayList<>(List.of(List.of("--version"), List.of("ps"), List.of("image", "ls")));
        for (int i = 0; i < 12; i++) { // past the ~10 calls after which jbox-jvm has the engine compile a method
            calls.add(List.of("run", "--dry-run", "--net", "none", image, "/bin/true"));
        }
        for (List<String> args : calls) {
            int status = warmCall(args, env, Path.of("/"), sink);
            if (status != 0 && args.contains("--dry-run")) {
                log.println("jbox engine: warm-up without containers: no default image " + image);
                return; // the rest would fail the same way
            }
        }
        // An engine stopped (SIGTERM) while warming lets the OCI cycle under way finish and delete
        // its container, cgroup and directory before the JVM halts.
        Thread warm = Thread.currentThread();
        AtomicBoolean stopping = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            stopping.set(true);
            try {
                warm.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jbox-engine-warm-up-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        Path dir = null;
        try {
            dir = warmDir(tag, env, sink);
            String oci = warmOci(dir, env, rootfs, "jbox-warm-" + tag, sink, stopping);
            log.println("jbox engine: warmed up in " + (System.nanoTime() - t0) / 1_000_000 + " ms (OCI create..delete: " + oci + ")");
        } catch (IOException | RuntimeException e) {
            log.println("jbox engine: warm-up of the OCI CLI: " + e);
        } finally {
            if (dir != null) {
                try {
                    TreeDeletion.delete(dir);
                } catch (IOException | RuntimeException e) {
                    log.println("jbox engine: cannot remove " + dir + ": " + e);
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is waiting for this thread: it is done now
            }
        }
    }

    /**
     * /run/jbox-warm-TAG (TAG from the socket: one per engine, short enough for the state root's
     * sockets), made 0700. One left by an engine killed while warming (this engine holds the
     * socket's lock now, so nobody else uses it) goes first, with its container and cgroup.
     */
    private static Path warmDir(String tag, Map<String, String> env, PrintStream sink) throws IOException {
        Path dir = Path.of("/run/jbox-warm-" + tag);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Map<String, Object> a = Files.readAttributes(dir, "unix:uid,isDirectory", LinkOption.NOFOLLOW_LINKS);
            if (!(Boolean) a.get("isDirectory") || (Integer) a.get("uid") != 0) {
                throw new IOException(dir + " is not a directory of root's");
            }
            warmCall(List.of("--root", dir.resolve("state").toString(), "delete", "--force", "jbox-warm-" + tag), env, Path.of("/"), sink);
            TreeDeletion.delete(dir);
        }
        Files.createDirectory(dir, FileModes.attribute(FileModes.PRIVATE_DIR));
        Files.setAttribute(dir, "unix:mode", FileModes.PRIVATE_DIR, LinkOption.NOFOLLOW_LINKS);
        return dir;
    }

    /** "ok", or which call failed with what status. */
    private static String warmOci(Path dir, Map<String, String> env, Path rootfs, String id, PrintStream sink,
            AtomicBoolean stopping) throws IOException {
        Path bundle = Files.createDirectory(dir.resolve("bundle"));
        Path root = dir.resolve("state");
        if (warmCall(List.of("spec", "--bundle", bundle.toString()), env, dir, sink) != 0) {
            return "spec failed";
        }
        Path file = bundle.resolve("config.json");
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(file.toFile());
        c.with("root").put("path", rootfs.toString()).put("readonly", true);
        c.with("process").put("terminal", false).putArray("args").add("/bin/true");
        c.with("linux").put("cgroupsPath", "/" + id); // its own, made and removed by create and delete
        Files.writeString(file, json.writeValueAsString(c));
        List<String> oci = List.of("--root", root.toString());
        for (int i = 0; i < 10; i++) {
            if (stopping.get()) {
                return "stopped after " + i + " cycles";
            }
            int created = 125;
            int started = 125;
            int deleted;
            try {
                created = warmCall(concat(oci, "create", "--bundle", bundle.toString(), id), env, dir, sink);
                if (created == 0) {
                    warmCall(concat(oci, "state", id), env, dir, sink);
                    started = warmCall(concat(oci, "start", id), env, dir, sink);
                }
            } finally {
                deleted = warmCall(concat(oci, "delete", "--force", id), env, dir, sink);
            }
            if (created != 0) {
                return "create exit " + created;
            }
            if (started != 0 || deleted != 0) {
                return "start exit " + started + ", delete exit " + deleted;
            }
        }
        return "ok";
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    private static int warmCall(List<String> args, Map<String, String> env, Path cwd, PrintStream sink) {
        return Main.execute(new Request(args, InputStream.nullInputStream(), sink, sink, env, cwd,
                () -> Request.Terminals.NONE, to -> { }, Caller.of(sink, sink, ShimStarter.LOCAL)));
    }

    /** The engine's cgroup under engine.cgroup: named after its socket, so one per engine. */
    static String cgroupName(Path socket) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(socket.toString().getBytes(StandardCharsets.UTF_8));
            return "engine-" + HexFormat.of().formatHex(h, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private int status(Path s) {
        long[] pid = running(s);
        if (pid == null) {
            out().println("not running (" + s + ")");
            return 1;
        }
        out().println("running: pid " + pid[0] + ", socket " + s);
        return 0;
    }

    /** SIGTERM, then the engine removes its files and cgroup; what a killed engine left goes too. */
    private int stop(Path s) throws JboxException {
        long[] pid = running(s);
        if (pid == null) {
            EngineCgroup.removeLeftover(config().get("engine.cgroup"), cgroupName(s));
            out().println("not running (" + s + ")");
            return 0;
        }
        ProcessSignals.sendRecorded(pid[0], pid[1], "TERM");
        if (!ProcessSignals.awaitExit(pid[0], pid[1], 10_000_000_000L)) {
            throw new JboxException("engine pid " + pid[0] + " did not exit within 10 s of SIGTERM");
        }
        EngineCgroup.removeLeftover(config().get("engine.cgroup"), cgroupName(s));
        out().println("stopped pid " + pid[0]);
        return 0;
    }

    /** The live engine's pid and start time, or null: its lock is held and its pid file names a live process. */
    private static long[] running(Path s) {
        if (!LockFile.isHeld(Engine.lockFile(s))) {
            return null;
        }
        try {
            String[] f = Files.readString(Engine.pidFile(s)).trim().split(" ");
            long pid = Long.parseLong(f[0]);
            long start = Long.parseLong(f[1]);
            return ProcessStart.alive(pid, start) ? new long[] {pid, start} : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
