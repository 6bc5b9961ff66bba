import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CountDownLatch;
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

    /** Serves until the process is stopped; binds a free loopback port and writes it to {@code --port-file}. */
    static void run(BenchTool.Args args) throws Exception {
        int workers = args.integer("workers", 8);
        String payload = DbLimit.payload();
        // the JDK's server writes headers and body apart: without TCP_NODELAY each answer waits ~40 ms for an ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
        ThreadLocal<Worker> perThread = new ThreadLocal<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (!"POST".equals(exchange.getRequestMethod())) {
                    answer(exchange, 200, ANSWER);   // the bench's health check
                    return;
                }
                try {
                    Worker worker = perThread.get();
                    if (worker == null) {
                        worker = Worker.open(args);
                        perThread.set(worker);
                    }
                    worker.store(body, payload);
                    answer(exchange, 200, ANSWER);
                } catch (SQLException e) {
                    perThread.remove();   // the next request of this worker starts on a new connection
                    answer(exchange, 503, ("{\"error\":\"" + e.getSQLState() + "\"}").getBytes(StandardCharsets.US_ASCII));
                }
            }
        });
        server.start();
        Path portFile = args.path("port-file");
        Path written = Files.writeString(portFile.resolveSibling(portFile.getFileName() + ".tmp"),
                String.valueOf(server.getAddress().getPort()));
        Files.move(written, portFile, StandardCopyOption.ATOMIC_MOVE);
        System.err.println("reference server on port " + server.getAddress().getPort() + ", " + workers + " workers");
        new CountDownLatch(1).await();
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

        static Worker open(BenchTool.Args args) throws SQLException {
            Connection connection = BenchTool.connect(args);
            try {
                connection.setAutoCommit(false);
                return new Worker(connection, connection.prepareStatement(String.format(DbLimit.JOURNAL, "?", "?")),
                        connection.prepareStatement(DbLimit.upsert(1, "?", "?", "?")));
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
        }

        void store(byte[] body, String payload) throws SQLException {
            try {
                DbLimit.store(connection, journal, DbLimit.sha256(body), new String(body, StandardCharsets.UTF_8), upsert, payload);
            } catch (SQLException e) {
                try {
                    connection.close();   // rolls back; the worker gets a new connection for its next request
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }
    }
}
