// One front end's connection: its command run by the CLI, its frames read and written.
package jbox.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntConsumer;
import jbox.Errno;
import jbox.io.IoReason;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * Serves one connection: checks the peer (root only) and its REQUEST, runs the command on this
 * thread while a reader thread takes the front end's frames (STDIN, SIGNAL, SPAWNED,
 * SPAWN_FAILED, CHILD_EXITED), and ends with exactly one EXIT or FALLBACK. If the front end goes
 * away (EOF) the caller counts as killed: nothing more is written, and the command's thread is
 * interrupted, which closes its shim's control socket, as a killed jbox's exit would.
 */
final class Session implements Runnable {
    private static final int SIGHUP = 1;
    private static final int SIGINT = 2;
    private static final int SIGQUIT = 3;
    private static final int SIGUSR1 = 10;
    private static final int SIGUSR2 = 12;
    private static final int SIGTERM = 15;
    private static final int SIGWINCH = 28;

    private final SocketChannel channel;
    private final Engine engine;
    private final Object sendLock = new Object();
    /** Set once EXIT or FALLBACK went out or the front end is gone: nothing more is sent. */
    private boolean finished;
    private volatile boolean callerGone;
    private volatile Thread worker;
    /** The command returned: its thread is no longer the command's to interrupt. */
    private volatile boolean commandDone;
    private final Object interruptLock = new Object();
    private volatile IntConsumer signalReceiver;
    private final ArrayDeque<CompletableFuture<FrontEndShims.Child>> pendingSpawns = new ArrayDeque<>();
    private final Map<Long, FrontEndShims.Child> children = new HashMap<>();
    private final BlockingQueue<byte[]> stdin = new ArrayBlockingQueue<>(64);
    /** Work the command left for after its EXIT, run by this session's thread once EXIT went out. */
    private final List<Runnable> afterReply = new CopyOnWriteArrayList<>();
    private boolean stdinWanted;

    Session(SocketChannel channel, Engine engine) {
        this.channel = channel;
        this.engine = engine;
    }

    @Override
    public void run() {
        worker = Thread.currentThread();
        try {
            serve();
        } catch (IOException e) {
            engine.log("connection: " + IoReason.of(e));
        } finally {
            commandDone();
            Thread.interrupted(); // one that came before commandDone: the pool's next session starts clean
            close();
            engine.sessionEnded();
        }
    }

    /** From here on callerGone interrupts nobody (this thread goes back to the pool). */
    private void commandDone() {
        synchronized (interruptLock) {
            commandDone = true;
        }
    }

    private void serve() throws IOException {
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (!peer.user().equals(engine.root())) {
            refuse("jbox: the engine serves root only, not user " + peer.user().getName());
            return;
        }
        InputStream in = new ChannelInput(channel);
        EngineProtocol.Hello hello;
        try {
            EngineProtocol.Frame first = EngineProtocol.read(in);
            if (first == null) {
                return; // connected and left: nothing to answer
            }
            if (first.type() != EngineProtocol.REQUEST) {
                throw new EngineProtocol.Malformed("expected REQUEST first, got " + EngineProtocol.name(first.type()));
            }
            if (EngineProtocol.otherVersion(first.payload())) {
                // A front end of another build (jbox upgraded while this engine ran): it runs the
                // command on its own cold path, and this engine retires if its jar was replaced.
                engine.outdated();
                finish(EngineProtocol.frame(EngineProtocol.FALLBACK, new byte[0]));
                return;
            }
            hello = EngineProtocol.decodeRequest(first.payload());
            if (!hello.cwd().startsWith("/")) {
                throw new EngineProtocol.Malformed("REQUEST: cwd " + hello.cwd() + " is not absolute");
            }
        } catch (EngineProtocol.Malformed m) {
            refuse("jbox: malformed frame from the front end: " + m.getMessage());
            return;
        }
        if (!hello.nsKey().equals(engine.nsKey())) {
            refuse("jbox: this engine serves other namespaces");
            return;
        }
        if (engine.outdated() || !hello.args().isEmpty() && hello.args().get(0).equals("engine")) {
            finish(EngineProtocol.frame(EngineProtocol.FALLBACK, new byte[0]));
            return;
        }
        Map<String, String> env = environment(hello);
        Charset charset = charset(env);
        PrintStream out = new PrintStream(new FrameOutput(EngineProtocol.STDOUT), true, charset);
        PrintStream err = new PrintStream(new FrameOutput(EngineProtocol.STDERR), true, charset);
        engine.execute(() -> readFrames(in));
        Call call = new Call(hello.args(), new StdinInput(), out, err, env, Path.of(hello.cwd()),
                new boolean[] {hello.tty(0), hello.tty(1), hello.tty(2)}, hello.rows(), hello.cols(),
                to -> signalReceiver = to, new FrontEndShims(this, hello.env(), hello.frontEndPid()), afterReply::add);
        int status;
        try {
            status = engine.handler().run(call);
        } catch (RuntimeException | Error e) { // the CLI reports its own; this is a bug in between
            engine.log("request " + hello.args() + ": " + e);
            err.println("jbox: internal error: " + e);
            status = 125;
        }
        commandDone();
        out.flush();
        err.flush();
        finish(status == Call.FALLBACK ? EngineProtocol.frame(EngineProtocol.FALLBACK, new byte[0])
                : EngineProtocol.u32Frame(EngineProtocol.EXIT, status));
        for (Runnable work : afterReply) { // the caller has its status: what it need not wait for
            try {
                work.run();
            } catch (RuntimeException e) {
                engine.log("request " + hello.args() + ", after its reply: " + e);
            }
        }
    }

    /** One STDERR line and EXIT 125: a peer or a request this engine does not serve. */
    private void refuse(String line) {
        byte[] text = (line + "\n").getBytes(StandardCharsets.UTF_8);
        send(EngineProtocol.frame(EngineProtocol.STDERR, text));
        finish(EngineProtocol.u32Frame(EngineProtocol.EXIT, 125));
    }

    /** The front end's frames after REQUEST, until EOF or a malformed one. */
    private void readFrames(InputStream in) {
        try {
            for (;;) {
                EngineProtocol.Frame f = EngineProtocol.read(in);
                if (f == null) {
                    callerGone();
                    return;
                }
                dispatch(f);
            }
        } catch (EngineProtocol.Malformed m) {
            send(EngineProtocol.frame(EngineProtocol.STDERR,
                    ("jbox: malformed frame from the front end: " + m.getMessage() + "\n").getBytes(StandardCharsets.UTF_8)));
            finish(EngineProtocol.u32Frame(EngineProtocol.EXIT, 125));
            callerGone();
        } catch (IOException e) {
            callerGone(); // closed under us: EXIT went out, or the front end is gone
        } catch (InterruptedException e) {
            callerGone();
        }
    }

    private void dispatch(EngineProtocol.Frame f) throws EngineProtocol.Malformed, InterruptedException {
        byte[] p = f.payload();
        switch (f.type()) {
            case EngineProtocol.STDIN -> {
                synchronized (this) {
                    if (!stdinWanted) {
                        throw new EngineProtocol.Malformed("STDIN before WANT_STDIN");
                    }
                }
                stdin.put(p);
            }
            case EngineProtocol.SIGNAL -> signal(EngineProtocol.u32(p, 0));
            case EngineProtocol.SPAWNED, EngineProtocol.SPAWN_FAILED -> {
                CompletableFuture<FrontEndShims.Child> pending;
                synchronized (this) {
                    pending = pendingSpawns.poll();
                }
                if (pending == null) {
                    throw new EngineProtocol.Malformed(EngineProtocol.name(f.type()) + " without a SPAWN");
                }
                if (f.type() == EngineProtocol.SPAWN_FAILED) {
                    pending.completeExceptionally(new IOException("the front end could not start it: "
                            + Errno.describe(EngineProtocol.u32(p, 0))));
                } else {
                    long pid = Integer.toUnsignedLong(EngineProtocol.u32(p, 0));
                    FrontEndShims.Child c = new FrontEndShims.Child(this, pid);
                    synchronized (this) {
                        children.put(pid, c);
                    }
                    pending.complete(c);
                }
            }
            case EngineProtocol.CHILD_EXITED -> {
                long pid = Integer.toUnsignedLong(EngineProtocol.u32(p, 0));
                FrontEndShims.Child c;
                synchronized (this) {
                    c = children.remove(pid);
                }
                if (c == null) {
                    throw new EngineProtocol.Malformed("CHILD_EXITED for pid " + pid + ", not a child of this request");
                }
                c.exited(EngineProtocol.u32(p, 4));
            }
            default -> throw new EngineProtocol.Malformed("a second " + EngineProtocol.name(f.type()));
        }
    }

    /**
     * A signal the front end received. With a receiver (a container runs in the foreground) it is
     * forwarded; without one, TERM, INT and HUP end the command as they end a cold jbox (128+N).
     * WINCH is the shim's own business (it reads the terminal).
     */
    private void signal(int signo) {
        if (signo == SIGWINCH) {
            return;
        }
        IntConsumer to = signalReceiver;
        boolean forwardable = signo == SIGTERM || signo == SIGINT || signo == SIGHUP || signo == SIGQUIT
                || signo == SIGUSR1 || signo == SIGUSR2;
        if (to != null && forwardable) {
            to.accept(signo);
        } else if (signo == SIGTERM || signo == SIGINT || signo == SIGHUP) {
            finish(EngineProtocol.u32Frame(EngineProtocol.EXIT, 128 + signo));
            callerGone();
        }
    }

    /** The caller counts as killed: wake whatever waits on it and interrupt the command. */
    private void callerGone() {
        callerGone = true;
        synchronized (sendLock) {
            finished = true;
        }
        List<CompletableFuture<FrontEndShims.Child>> spawns;
        List<FrontEndShims.Child> kids;
        synchronized (this) {
            spawns = new ArrayList<>(pendingSpawns);
            pendingSpawns.clear();
            kids = new ArrayList<>(children.values());
            children.clear();
        }
        spawns.forEach(s -> s.completeExceptionally(new IOException("the caller's front end is gone")));
        kids.forEach(FrontEndShims.Child::orphaned);
        stdin.offer(new byte[0]);
        Thread w = worker;
        synchronized (interruptLock) {
            if (w != null && w != Thread.currentThread() && !commandDone) {
                w.interrupt();
            }
        }
    }

    boolean callerIsGone() {
        return callerGone;
    }

    /** Sends SPAWN and registers for its answer, in order. */
    CompletableFuture<FrontEndShims.Child> spawn(byte[] frame) throws IOException {
        CompletableFuture<FrontEndShims.Child> answer = new CompletableFuture<>();
        synchronized (this) {
            if (callerGone) {
                throw new IOException("the caller's front end is gone");
            }
            pendingSpawns.add(answer);
        }
        if (!send(frame)) {
            throw new IOException("the caller's front end is gone");
        }
        return answer;
    }

    /** Sends a frame unless the session is over; false when it was not sent. */
    boolean send(byte[] frame) {
        synchronized (sendLock) {
            if (finished) {
                return false;
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(frame);
                while (b.hasRemaining()) {
                    channel.write(b);
                }
                return true;
            } catch (IOException e) {
                finished = true; // the front end is gone; its EOF will tell the reader
                return false;
            }
        }
    }

    /** Sends the last frame (EXIT or FALLBACK) once; later ones are dropped. */
    private void finish(byte[] frame) {
        synchronized (sendLock) {
            if (send(frame)) {
                finished = true;
            }
        }
    }

    private void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing more to say to this front end
        }
    }

    /** The caller's environment as a map; a later duplicate wins, as for getenv of a front end's envp. */
    private static Map<String, String> environment(EngineProtocol.Hello hello) {
        Map<String, String> env = new HashMap<>();
        for (String kv : hello.env()) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                env.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * The encoding a cold JVM would have printed in for this caller: its locale's (LC_ALL, else
     * LC_CTYPE, else LANG), UTF-8 when that names it, else ASCII (C and POSIX).
     */
    static Charset charset(Map<String, String> env) {
        String locale = null;
        for (String k : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String v = env.get(k);
            if (v != null && !v.isEmpty()) {
                locale = v;
                break;
            }
        }
        if (locale == null) {
            return StandardCharsets.US_ASCII;
        }
        int dot = locale.indexOf('.');
        String codeset = dot < 0 ? "" : locale.substring(dot + 1).replaceAll("@.*", "");
        if (codeset.equalsIgnoreCase("utf-8") || codeset.equalsIgnoreCase("utf8")) {
            return StandardCharsets.UTF_8;
        }
        try {
            return codeset.isEmpty() ? StandardCharsets.US_ASCII : Charset.forName(codeset);
        } catch (IllegalArgumentException e) {
            return StandardCharsets.US_ASCII;
        }
    }

    /** STDOUT or STDERR frames, at most MAX_DATA bytes each. */
    private final class FrameOutput extends OutputStream {
        private final int type;

        FrameOutput(int type) {
            this.type = type;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int at = off; at < off + len; at += EngineProtocol.MAX_DATA) {
                send(EngineProtocol.frame(type, b, at, Math.min(EngineProtocol.MAX_DATA, off + len - at)));
            }
        }
    }

    /** The caller's stdin: asked for (WANT_STDIN) on the first read, then its STDIN frames until EOF. */
    private final class StdinInput extends InputStream {
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean eof;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (!eof && pos == chunk.length) {
                synchronized (Session.this) {
                    if (!stdinWanted) {
                        stdinWanted = true;
                        send(EngineProtocol.frame(EngineProtocol.WANT_STDIN, new byte[0]));
                    }
                }
                if (callerGone && stdin.isEmpty()) {
                    eof = true;
                    break;
                }
                try {
                    chunk = stdin.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the caller's stdin");
                }
                pos = 0;
                eof = chunk.length == 0;
            }
            if (eof) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /**
     * Reads the socket directly: Channels.newInputStream would hold the channel's blocking lock
     * while it waits, and block every write of the command's output meanwhile.
     */
    private static final class ChannelInput extends InputStream {
        private final SocketChannel channel;

        ChannelInput(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, len));
        }
    }
}
