// A loopback HTTP proxy in front of a registry that records each request and cuts chosen responses mid-body.
package jbox.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For GET/HEAD traffic (a pull): each request is sent to the registry with "Connection: close" and
 * its whole response read, then passed on; a response to a path containing {@link #cutPath} is
 * passed on only up to {@code cutAfter} body bytes, {@code cuts} times, and the connection closed,
 * as a network that breaks mid-download would. Requests are recorded with their Range header.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    volatile String cutPath = "\0";
    volatile int cutAfter;
    final AtomicInteger cuts = new AtomicInteger();

    CuttingProxy(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "cutting-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String range = "";
                StringBuilder forward = new StringBuilder(lines[0]).append("\r\n");
                for (String l : Arrays.asList(lines).subList(1, lines.length)) {
                    String lower = l.toLowerCase();
                    if (lower.startsWith("range:")) {
                        range = " " + l;
                    }
                    if (!lower.startsWith("connection:")) {
                        forward.append(l).append("\r\n");
                    }
                }
                forward.append("Connection: close\r\n\r\n");
                requests.add(lines[0] + range);
                byte[] response;
                try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target)) {
                    upstream.getOutputStream().write(forward.toString().getBytes(StandardCharsets.ISO_8859_1));
                    response = upstream.getInputStream().readAllBytes();
                }
                int bodyStart = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)) + 4;
                if (lines[0].contains(cutPath) && cuts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    out.write(response, 0, Math.min(response.length, bodyStart + cutAfter));
                    out.flush();
                    return; // closes the client's connection mid-body
                }
                out.write(response);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return new String(a, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    List<String> requestsFor(String path) {
        List<String> out = new ArrayList<>();
        for (String r : requests) {
            if (r.contains(path)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
