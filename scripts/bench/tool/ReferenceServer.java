import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The reference of the {@code reference} scenario: the least an HTTP webhook server can do per request, as a floor
 * to read the server's figures against. The JDK's own HTTP server, a fixed pool of workers with one connection each,
 * and per request only the database limit's transaction: the raw body into {@code bench_journal} and one upsert
 * into {@code bench_leads}, then 200. No verification, parsing, routing, dedupe or journal of events: what is left
 * is HTTP and JDBC on the same two cores as PostgreSQL and the load tool.
 */
final class ReferenceServer {

    private ReferenceServer() {
    }

    /** As the server answers, with the count of events stored, which the load tool adds up. */
    private static final byte[] ANSWER = "{\"status\":\"accepted\",\"events\":1}".getBytes(StandardCharsets.US_ASCII);

    /** Serves until the process is stopped. */
    static void run(BenchTool.Args args) throws Exception {
        int workers = args.integer("workers", 8);
        // the JDK's server writes headers and body apart: without TCP_NODELAY each answer waits ~40 ms for an ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
        String payload = DbLimit.payload();
        ThreadLocal<Worker> perThread = ThreadLocal.withInitial(() -> Worker.open(args));
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", args.integer("port", 0)), 256);
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (!"POST".equals(exchange.getRequestMethod())) {
                    answer(exchange, 200, ANSWER);   // the bench's health check
                    return;
                }
                try {
                    perThread.get().store(body, payload);
                    answer(exchange, 200, ANSWER);
                } catch (SQLException e) {
                    answer(exchange, 503, ("{\"error\":\"" + e.getSQLState() + "\"}").getBytes(StandardCharsets.US_ASCII));
                }
            }
        });
        server.start();
        System.err.println("reference server on port " + server.getAddress().getPort() + ", " + workers + " workers");
        new java.util.concurrent.CountDownLatch(1).await();
    }

    private static void answer(HttpExchange exchange, int status, byte[] json) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(json);
        }
    }

    /** One worker's connection and statements, prepared once. */
    private record Worker(Connection connection, PreparedStatement journal, PreparedStatement upsert) {

        static Worker open(BenchTool.Args args) {
            try {
                Connection connection = BenchTool.connect(args);
                connection.setAutoCommit(false);
                return new Worker(connection, connection.prepareStatement(String.format(DbLimit.JOURNAL, "?", "?")),
                        connection.prepareStatement(DbLimit.upsert(1, "?", "?", "?")));
            } catch (SQLException e) {
                throw new IllegalStateException("reference server: no database connection", e);
            }
        }

        void store(byte[] body, String payload) throws SQLException {
            try {
                DbLimit.store(connection, journal, DbLimit.sha256(body), new String(body, StandardCharsets.UTF_8), upsert, payload);
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        }
    }
}
