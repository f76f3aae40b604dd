// Where an engine listens, and the files beside its socket: one engine per set of namespaces.
package jbox.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The socket is DIR/KEY.sock, DIR being /run/jbox/engine or $JBOX_ENGINE_SOCKET (a directory: a
 * private location for tests and benchmarks), KEY naming this process's mount, net, pid, user and
 * cgroup namespaces by inode: a caller in other namespaces reaches (or starts) another engine, so
 * what an engine does lands in its caller's namespaces. Beside the socket: KEY.lock (held by the
 * engine for its life), KEY.log and KEY.pid. An explicit `--socket P` keeps that rule: a trailing
 * .sock is replaced (P.lock), any other name gets the suffix added.
 */
record EnginePaths(Path socket, Path lock, Path log, Path pid) {
    static final Path DIR = Path.of("/run/jbox/engine");

    static EnginePaths of(Path socket) {
        String s = socket.toString();
        String base = s.endsWith(".sock") ? s.substring(0, s.length() - ".sock".length()) : s;
        return new EnginePaths(socket, Path.of(base + ".lock"), Path.of(base + ".log"), Path.of(base + ".pid"));
    }

    /** The directory of a caller with this $JBOX_ENGINE_SOCKET (null or empty: the default). */
    static Path dirFor(String engineSocket) {
        return engineSocket != null && !engineSocket.isEmpty() ? Path.of(engineSocket) : DIR;
    }

    /** The socket for a caller with this environment variable: its directory, our namespaces' key. */
    static EnginePaths forCaller(String engineSocket) throws IOException {
        return of(dirFor(engineSocket).resolve(namespaceKey() + ".sock"));
    }

    /** m<ino>-n<ino>-p<ino>-u<ino>-c<ino> of /proc/self/ns/{mnt,net,pid,user,cgroup} (stat: the namespaces' inodes). */
    static String namespaceKey() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[][] kinds = {{"m", "mnt"}, {"n", "net"}, {"p", "pid"}, {"u", "user"}, {"c", "cgroup"}};
        for (String[] k : kinds) {
            Object ino = Files.getAttribute(Path.of("/proc/self/ns", k[1]), "unix:ino");
            sb.append(sb.length() == 0 ? "" : "-").append(k[0]).append(ino);
        }
        return sb.toString();
    }
}
