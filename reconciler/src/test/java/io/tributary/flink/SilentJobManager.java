package io.tributary.flink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JobManager that hangs: it accepts connections on a real socket and never writes a byte back, so a
 * client waits for its whole timeout, as it does for a JobManager in a long GC pause. A refused
 * connection, by contrast, fails at once.
 */
public final class SilentJobManager implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<Long> acceptedAtNanos = new CopyOnWriteArrayList<>();

    public SilentJobManager() throws IOException {
        Thread acceptor = new Thread(this::accept, "silent-jobmanager-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** How many connections it accepted so far. */
    public int accepted() {
        return connections.size();
    }

    /** When it accepted each connection, in {@link System#nanoTime()}. */
    public List<Long> acceptedAtNanos() {
        return List.copyOf(acceptedAtNanos);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                acceptedAtNanos.add(System.nanoTime());
                connections.add(socket);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
