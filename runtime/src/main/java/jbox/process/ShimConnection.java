package jbox.process;

import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The JVM's end of the control channel to one jbox-shim: has the shim started with the socket
 * path (by a ShimStarter: this JVM, or the caller's front end), accepts its connection, and
 * exchanges framed messages (protocol.h). A unix socket rather than an inherited fd because
 * ProcessBuilder passes only stdin/stdout/stderr, which belong to the container, and the front end
 * that starts the shim for the engine is another process. Each message is decoded once into its ShimMessage type; ShimSequence holds the order.
 */
public final class ShimConnection implements AutoCloseable, ShimSequence.Channel {
    private final ShimStarter.Child process;
    private final SocketChannel channel;

    private ShimConnection(ShimStarter.Child process, SocketChannel channel) {
        this.process = process;
        this.channel = channel;
    }

    /**
     * Starts the shim with our stdio (or, for a detached container, no stdin and stdout/stderr
     * appended to {@code log}) and waits for it to connect on {@code socketPath}.
     */
    public static ShimConnection spawn(Path shim, Path socketPath, Path log, boolean tty, ShimStarter starter,
            PrintStream warnings) throws JboxException {
        return begin(shim, socketPath, log, tty, starter, warnings).connect();
    }

    /**
     * Binds {@code socketPath} and has the shim started, without waiting for it: `run` does this
     * first, and the shim's fork and execve (in the front end, on another CPU) overlap the rest
     * of the container's preparation (network, /etc files, plan, cgroup). {@link Pending#connect}
     * takes its connection; {@link Pending#close} undoes a start that will not be used.
     */
    public static Pending begin(Path shim, Path socketPath, Path log, boolean tty, ShimStarter starter,
            PrintStream warnings) throws JboxException {
        ServerSocketChannel server;
        try {
            Files.deleteIfExists(socketPath);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            // bind(2) gives the socket 0777 minus the umask; its directory is root-only, and the
            // peer's uid is checked at accept, so the moment before the chmod opens nothing.
            server.bind(UnixDomainSocketAddress.of(socketPath));
            // chmod(2) by path: the JDK's no-follow variant opens the file, which a socket refuses (ENXIO)
            Files.setAttribute(socketPath, "unix:mode", FileModes.PRIVATE_FILE);
        } catch (IOException e) {
            throw new JboxException("cannot listen on control socket " + socketPath + ": " + IoReason.of(e), e);
        }
        if (log != null) {
            try {
                FileModes.ensureFile(log, FileModes.PRIVATE_FILE); // appendTo would make it 0666 minus the umask
            } catch (IOException e) {
                closeQuietly(server);
                closeQuietly(() -> Files.deleteIfExists(socketPath));
                throw new JboxException("cannot create the shim's log " + log + ": " + IoReason.of(e), e);
            }
        }
        List<String> argv = tty ? List.of(shim.toString(), "--tty", socketPath.toString())
                : List.of(shim.toString(), socketPath.toString());
        return new Pending(shim, socketPath, log, tty, server, starter.start(argv, log), warnings);
    }

    /** A shim being started on a bound control socket: connected once, or closed (killed) unused. */
    public static final class Pending implements AutoCloseable {
        private final Path shim;
        private final Path socketPath;
        private final Path log;
        private final boolean tty;
        private final ServerSocketChannel server;
        private final CompletableFuture<? extends ShimStarter.Child> start;
        private final PrintStream warnings;
        private boolean done;

        private Pending(Path shim, Path socketPath, Path log, boolean tty, ServerSocketChannel server,
                CompletableFuture<? extends ShimStarter.Child> start, PrintStream warnings) {
            this.shim = shim;
            this.socketPath = socketPath;
            this.log = log;
            this.tty = tty;
            this.server = server;
            this.start = start;
            this.warnings = warnings;
        }

        /** Started as {@link #begin} would start the shim for these. */
        public boolean isFor(Path socket, Path log, boolean tty) {
            return socketPath.equals(socket) && Objects.equals(this.log, log) && this.tty == tty;
        }

        /** The shim's connection, once it has started and connected. */
        public ShimConnection connect() throws JboxException {
            done = true;
            ShimStarter.Child p;
            try {
                p = ShimStarter.await(start);
            } catch (IOException e) {
                closeQuietly(server);
                deleteSocket();
                throw new JboxException("cannot start shim " + shim + ": " + IoReason.of(e), e);
            }
            // If the shim dies before connecting, closing the server wakes the accept() below.
            p.onExit(() -> closeQuietly(server));
            try {
                return new ShimConnection(p, acceptRoot(server, socketPath, warnings));
            } catch (IOException e) {
                p.kill();
                // The shim's own one-line reason (e.g. it could not make its sealed copy) went to our
                // stderr, or to the container's log when detached: point there.
                throw new JboxException("shim " + shim + " exited before connecting (status "
                        + waitQuietly(p) + "; its reason is in " + (log == null ? "the line above" : log) + ")", e);
            } finally {
                closeQuietly(server);
                deleteSocket();
            }
        }

        /** Unless connected: the shim killed and waited for (it has done nothing yet), the socket gone. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                ShimStarter.Child p = ShimStarter.await(start);
                p.kill();
                waitQuietly(p);
            } catch (IOException notStarted) {
                // nothing to stop
            } finally {
                closeQuietly(server);
                deleteSocket();
            }
        }

        private void deleteSocket() {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException ignored) {
                // the state directory is removed with the container anyway
            }
        }
    }

    /**
     * The first connection from a process of jbox's own user (root: the owner of the socket jbox
     * just bound); anyone else is closed and waited past. The JDK's SO_PEERCRED gives the uid, not
     * the pid: the shim also sends its own pid in MSG_PID, which ContainerRunner compares with the
     * process it started. Principals compare by numeric id, not by name.
     */
    private static SocketChannel acceptRoot(ServerSocketChannel server, Path socketPath, PrintStream warnings)
            throws IOException {
        UserPrincipal self = Files.getOwner(socketPath);
        while (true) {
            SocketChannel ch = server.accept();
            UnixDomainPrincipal peer = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
            if (peer.user().equals(self)) {
                return ch;
            }
            warnings.println("jbox: warning: refused a connection from user " + peer.user().getName()
                    + " on control socket " + socketPath);
            ch.close();
        }
    }

    public long shimPid() {
        return process.pid();
    }

    public void send(int type, byte[] payload) throws JboxException {
        ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        head.putInt(type).putInt(payload.length).flip();
        try {
            synchronized (channel) {
                while (head.hasRemaining()) {
                    channel.write(head);
                }
                ByteBuffer body = ByteBuffer.wrap(payload);
                while (body.hasRemaining()) {
                    channel.write(body);
                }
            }
        } catch (IOException e) {
            throw new JboxException("cannot send " + Protocol.messageName(type) + " to the shim: " + IoReason.of(e), e);
        }
    }

    public void sendU32(int type, long value) throws JboxException {
        byte[] b = new byte[4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value);
        send(type, b);
    }

    /**
     * Reads and decodes the next message. EOF means the shim died, which is a failure naming what
     * jbox was waiting for ({@code awaited}), never success.
     */
    @Override
    public ShimMessage receive(String awaited) throws JboxException {
        try {
            ByteBuffer head = readFully(8);
            int type = head.getInt(0);
            int len = head.getInt(4);
            if (len < 0 || len > MAX_PAYLOAD) {
                throw new JboxException("shim protocol error: a malformed " + Protocol.messageName(type) + " of "
                        + Integer.toUnsignedString(len) + " bytes");
            }
            return ShimMessage.decode(type, readFully(len));
        } catch (EOFException e) {
            throw new JboxException("the shim exited unexpectedly while jbox awaited " + awaited + " (status "
                    + waitQuietly(process) + ")", e);
        } catch (IOException e) {
            throw new JboxException("cannot read " + awaited + " from the shim: " + IoReason.of(e), e);
        }
    }

    /** The next message if it is a {@code type}: a FAILED becomes {@code words}' error, any other "expected X, got Y". */
    public <T extends ShimMessage> T expect(Class<T> type, ShimSequence.FailureWords words) throws JboxException {
        return ShimSequence.expect(this, type, words);
    }

    /** DENIED's largest payload: (nr, count) for each of the shim's 1024 syscall numbers. */
    private static final int MAX_PAYLOAD = 1024 * 8;

    private ByteBuffer readFully(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException();
            }
        }
        return b.flip();
    }

    /** Waits for the shim process itself to exit (it does right after MSG_EXITED). */
    public int waitForShim() {
        return waitQuietly(process);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static int waitQuietly(ShimStarter.Child p) {
        try {
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort here; the error that matters was already reported
        }
    }
}
