package dev.mailer.feedback.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Per connection: at most {@code perClient} open at once from one address (the one more is closed
 * at once), and the first request's headers within {@code firstRequestMillis} of opening, or the
 * connection is closed. Jetty's idle timeout covers a client that stops sending altogether; this
 * covers the one that sends a byte now and then to stay just inside it.
 */
final class ClientConnections implements Connection.Listener {
    private final int perClient;
    private final long firstRequestMillis;
    private final Scheduler scheduler;
    private final ConcurrentMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
    /** Each connection's client, kept: a closed socket no longer says whose it was. */
    private final ConcurrentMap<Connection, String> clients = new ConcurrentHashMap<>();

    ClientConnections(int perClient, long firstRequestMillis, Scheduler scheduler) {
        this.perClient = perClient;
        this.firstRequestMillis = firstRequestMillis;
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        String client = client(connection);
        clients.put(connection, client);
        int now = open.computeIfAbsent(client, c -> new AtomicInteger()).incrementAndGet();
        if (now > perClient) {
            connection.getEndPoint().close();
            return;
        }
        scheduler.schedule(() -> {
            if (connection.getMessagesIn() == 0 && connection.getEndPoint().isOpen()) {
                connection.getEndPoint().close(); // no complete request yet: a slow loris
            }
        }, firstRequestMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
        String client = clients.remove(connection);
        if (client == null) {
            return;
        }
        AtomicInteger count = open.get(client);
        if (count != null && count.decrementAndGet() <= 0) {
            open.remove(client, count);
        }
    }

    private static String client(Connection connection) {
        SocketAddress remote = connection.getEndPoint().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(remote);
    }
}
