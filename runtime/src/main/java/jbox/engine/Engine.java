// The resident engine: jbox's JVM kept warm behind a unix socket, serving the native front end.
package jbox.engine;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import jbox.JboxException;
import jbox.config.HostRoots;
import jbox.io.AtomicFile;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.runtime.ProcessStart;

/**
 * Listens on its socket (root-only: the directory 0700, the socket 0600, and each peer's
 * SO_PEERCRED checked), serves each connection on a thread of its own, and exits after
 * {@code idleMillis} without one. One engine per socket: it holds SOCKET.lock for its life; a
 * socket file found while nobody holds the lock was left by a killed engine and is replaced.
 */
public final class Engine {
    /**
     * Threads for sessions and their readers, kept for the next call: two new threads a call were
     * two clone3s and thread set-ups on a run's critical path. Daemons: they keep no engine alive.
     */
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jbox-engine-request");
        t.setDaemon(true);
        return t;
    });
    private final EnginePaths paths;
    private final Call.Handler handler;
    private final long idleMillis;
    private final PrintStream log;
    private final String nsKey;
    private final UserPrincipal root;
    private int active;
    private long lastActivity = System.nanoTime();
    private volatile ServerSocketChannel server;
    private volatile Object socketKey;
    /** jbox.jar as it was when this engine started (null: not found): a new build retires the engine. */
    private final String jarAtStart = jarIdentity();
    private boolean retiring;

    private Engine(EnginePaths paths, Call.Handler handler, long idleMillis, PrintStream log) throws IOException {
        this.paths = paths;
        this.handler = handler;
        this.idleMillis = idleMillis;
        this.log = log;
        this.nsKey = EnginePaths.namespaceKey();
        this.root = paths.socket().getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
    }

    /** The socket a caller with this $JBOX_ENGINE_SOCKET (null: none) uses. */
    public static Path socketFor(String engineSocket) throws JboxException {
        try {
            return EnginePaths.forCaller(engineSocket).socket();
        } catch (IOException e) {
            throw new JboxException("cannot read this process's namespaces under /proc/self/ns: " + IoReason.of(e), e);
        }
    }

    /** The lock and pid files beside {@code socket}. */
    public static Path lockFile(Path socket) {
        return EnginePaths.of(socket).lock();
    }

    public static Path pidFile(Path socket) {
        return EnginePaths.of(socket).pid();
    }

    /**
     * Serves on {@code socket} until idle; returns the exit status (0 also when another engine
     * holds the socket already: it is starting or serving, which is what the caller wanted).
     * {@code warmUp} runs on a thread of its own once the socket is served; {@code ownCgroup}
     * joins the engine's cgroup and returns what leaves it, run at exit (idle or SIGTERM).
     */
    public static int serve(Path socket, Call.Handler handler, long idleMillis,
            Supplier<Runnable> ownCgroup, Runnable warmUp, PrintStream log) throws JboxException {
        EnginePaths paths = EnginePaths.of(socket);
        Path dir = socket.toAbsolutePath().getParent();
        try {
            if (dir.equals(EnginePaths.DIR)) {
                FileModes.ensureDirectory(EnginePaths.DIR.getParent(), HostRoots.ROOT_MODE, 0, 0);
                FileModes.ensureDirectory(EnginePaths.DIR, FileModes.PRIVATE_DIR, 0, 0);
            } else {
                privateDirectory(dir);
            }
        } catch (IOException e) {
            throw new JboxException("cannot create " + dir + ": " + IoReason.of(e), e);
        }
        FileChannel lockChannel;
        FileLock lock;
        try {
            lockChannel = FileChannel.open(paths.lock(), EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    FileModes.attribute(FileModes.PRIVATE_FILE));
            lock = lockChannel.tryLock();
        } catch (IOException e) {
            throw new JboxException("cannot lock " + paths.lock() + ": " + IoReason.of(e), e);
        }
        if (lock == null) {
            log.println(stamp() + "another engine holds " + paths.lock() + ": leaving it to serve " + socket);
            return 0;
        }
        try {
            Engine engine = new Engine(paths, handler, idleMillis, log);
            return engine.run(ownCgroup, warmUp);
        } catch (IOException e) {
            throw new JboxException("engine on " + socket + ": " + IoReason.of(e), e);
        } finally {
            try {
                lockChannel.close(); // releases the lock: the next engine may start
            } catch (IOException ignored) {
                // the lock goes with the descriptor, closed or not
            }
        }
    }

    /**
     * A directory someone chose for the socket ($JBOX_ENGINE_SOCKET, --socket): made 0700 if
     * absent; if present it must be root's and writable by root only (never chmodded: it is the
     * caller's), as the front end requires before it starts an engine there.
     */
    private static void privateDirectory(Path dir) throws IOException, JboxException {
        try {
            Files.createDirectory(dir, FileModes.attribute(FileModes.PRIVATE_DIR));
            Files.setAttribute(dir, "unix:mode", FileModes.PRIVATE_DIR, LinkOption.NOFOLLOW_LINKS);
            return;
        } catch (FileAlreadyExistsException exists) {
            // checked below
        }
        Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
        if (!(Boolean) a.get("isDirectory") || (Integer) a.get("uid") != 0 || ((Integer) a.get("mode") & 022) != 0) {
            throw new JboxException("the engine's directory " + dir + " must be a directory of root's that only root can write to");
        }
    }

    private int run(Supplier<Runnable> ownCgroup, Runnable warmUp) throws IOException, JboxException {
        // Nobody else holds the lock, so a socket file here is a killed engine's: replace it.
        if (Files.deleteIfExists(paths.socket())) {
            log.println(stamp() + "removed the stale socket " + paths.socket());
        }
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(paths.socket()));
        // chmod by path (a socket cannot be opened for the JDK's no-follow chmod); the directory is root's
        Files.setAttribute(paths.socket(), "unix:mode", FileModes.PRIVATE_FILE);
        socketKey = key(paths.socket());
        server = s;
        long pid = ProcessHandle.current().pid();
        AtomicFile.write(paths.pid(), (pid + " " + ProcessStart.of(pid) + "\n")
                .getBytes(StandardCharsets.US_ASCII), FileModes.PRIVATE_FILE);
        log.println(stamp() + "serving " + paths.socket() + " (pid " + pid + ", namespaces " + nsKey + ", idle exit after "
                + idleMillis + " ms)");
        Runnable leaveCgroup = ownCgroup.get();
        AtomicBoolean exited = new AtomicBoolean();
        Runnable exit = () -> {
            if (exited.compareAndSet(false, true)) {
                removeFiles();
                leaveCgroup.run();
            }
        };
        Thread cleanup = new Thread(exit, "jbox-engine-exit");
        Runtime.getRuntime().addShutdownHook(cleanup); // `jbox engine stop` sends SIGTERM
        Thread idle = new Thread(this::idleWatch, "jbox-engine-idle");
        idle.setDaemon(true);
        idle.start();
        Thread warm = new Thread(warmUp, "jbox-engine-warm-up");
        warm.setDaemon(true);
        warm.setPriority(Thread.MIN_PRIORITY);
        warm.start();
        try {
            for (;;) {
                SocketChannel ch = s.accept();
                synchronized (this) {
                    active++;
                    lastActivity = System.nanoTime();
                }
                threads.execute(new Session(ch, this));
            }
        } catch (ClosedChannelException idleExit) {
            log.println(stamp() + "idle for " + idleMillis + " ms: exiting");
        } finally {
            exit.run();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
        return 0;
    }

    /** Closes the server once no connection is open and none came for idleMillis. */
    private void idleWatch() {
        synchronized (this) {
            for (;;) {
                long waited = (System.nanoTime() - lastActivity) / 1_000_000;
                if (active == 0 && (retiring || waited >= idleMillis)) {
                    break;
                }
                try {
                    wait(active > 0 ? 0 : Math.max(1, idleMillis - waited));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closed already
        }
    }

    /**
     * Whether jbox.jar changed since this engine started (an upgrade, a rebuild): the engine still
     * runs the old code, so it serves no more. Its caller gets FALLBACK (the cold path runs the new
     * jar), and the engine exits once its open calls end; the next call starts a new one.
     */
    boolean outdated() {
        String now = jarIdentity();
        if (jarAtStart == null || jarAtStart.equals(now)) {
            return false;
        }
        synchronized (this) {
            if (!retiring) {
                retiring = true;
                log("jbox.jar changed since start: serving no more, exiting when idle");
                notifyAll();
            }
        }
        return true;
    }

    /** device, inode, size and modification time of jbox.home's jbox.jar; null if it cannot be read. */
    private static String jarIdentity() {
        String home = System.getProperty("jbox.home");
        if (home == null) {
            return null;
        }
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(home, "jbox.jar"), "unix:dev,ino,size,lastModifiedTime");
            return a.get("dev") + ":" + a.get("ino") + ":" + a.get("size") + ":" + a.get("lastModifiedTime");
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    void sessionEnded() {
        synchronized (this) {
            active--;
            lastActivity = System.nanoTime();
            notifyAll();
        }
    }

    /** Removes the socket and pid files, if they are still this engine's (a new engine may have replaced them). */
    private void removeFiles() {
        try {
            if (socketKey != null && socketKey.equals(key(paths.socket()))) {
                Files.deleteIfExists(paths.socket());
                Files.deleteIfExists(paths.pid());
            }
        } catch (IOException ignored) {
            // gone already
        }
    }

    private static Object key(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    /** Runs a session's reader on a thread of the pool. */
    void execute(Runnable task) {
        threads.execute(task);
    }

    Call.Handler handler() {
        return handler;
    }

    String nsKey() {
        return nsKey;
    }

    UserPrincipal root() {
        return root;
    }

    void log(String line) {
        log.println(stamp() + line);
    }

    private static String stamp() {
        return Instant.now() + " jbox engine: ";
    }
}
