import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The database limit: the fewest statements that keep one webhook durably, run straight against the same
 * PostgreSQL (same fsync / synchronous_commit, it is the same server) at the same concurrency as the HTTP load.
 * One transaction = insert the raw request into a journal + upsert the event's row ({@code --events 1}), or
 * the raw 50-event request + one multi-row upsert of its 50 rows ({@code --events 50}, the ceiling for batches).
 * Scratch tables {@code bench_journal} and {@code bench_leads}; the product's tables are not touched.
 * pgbench runs the script {@code pgbench-script} writes; {@code db-limit} is the same with JDBC only.
 */
final class DbLimit {

    private DbLimit() {
    }

    static final String DDL = """
            DROP TABLE IF EXISTS bench_journal, bench_leads;
            CREATE TABLE bench_journal (
                id          bigserial   PRIMARY KEY,
                received_at timestamptz NOT NULL DEFAULT now(),
                body_sha256 text        NOT NULL,
                body        text        NOT NULL
            );
            CREATE TABLE bench_leads (
                id          bigint      PRIMARY KEY,
                name        text,
                status_id   bigint,
                pipeline_id bigint,
                price       numeric,
                updated_at  timestamptz,
                payload     jsonb       NOT NULL,
                stored_at   timestamptz NOT NULL DEFAULT now()
            )""";

    static final String JOURNAL = "INSERT INTO bench_journal (body_sha256, body) VALUES (%s, %s)";

    static final String UPSERT_HEAD = "INSERT INTO bench_leads AS t (id, name, status_id, pipeline_id, price, updated_at, payload) ";

    static final String UPSERT_TAIL = " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status_id = EXCLUDED.status_id,"
            + " pipeline_id = EXCLUDED.pipeline_id, price = EXCLUDED.price, updated_at = EXCLUDED.updated_at,"
            + " payload = EXCLUDED.payload, stored_at = now() WHERE t.updated_at <= EXCLUDED.updated_at";

    /** One event: VALUES row. {@code %1$s} id, {@code %2$s} unix version, {@code %3$s} payload. */
    static final String ONE_ROW = "VALUES (%1$s, 'Website order', 63012345, 7654321, 12500, to_timestamp(%2$s), CAST(%3$s AS jsonb))";

    /** A batch: the same row shape for ids id*64 .. id*64+49 in one statement. */
    static final String MANY_ROWS = "SELECT CAST(%1$s AS bigint) * 64 + g, 'Website order', 63012345, 7654321, 12500,"
            + " to_timestamp(%2$s), CAST(%3$s AS jsonb) FROM generate_series(0, %4$d) AS g";

    static void prepare(BenchTool.Args args) throws Exception {
        try (Connection c = BenchTool.connect(args); Statement s = c.createStatement()) {
            for (String statement : DDL.split(";")) {
                s.execute(statement);
            }
        }
    }

    /** A body and an event payload of the size the scenario sends. */
    static String body(int events) {
        return events == 1 ? Bodies.single("bench-db-", 0, 1L).body() : Bodies.batch("bench-db-", 0, 1L).body();
    }

    /** The event's row as the server keeps it in {@code payload jsonb}: the item's fields, custom fields included. */
    static String payload() {
        return "{\"id\": \"100000001\", \"name\": \"Website order #1\", \"status_id\": \"63012345\", \"price\": \"12500\","
                + " \"responsible_user_id\": \"10456789\", \"last_modified\": \"1732611600\", \"modified_user_id\": \"10456790\","
                + " \"created_user_id\": \"10456789\", \"date_create\": \"1732608015\", \"pipeline_id\": \"7654321\","
                + " \"tags\": [{\"id\": \"512301\", \"name\": \"website\"}], \"account_id\": \"31234567\","
                + " \"custom_fields\": [{\"id\": \"1100002\", \"name\": \"utm_source\", \"code\": \"UTM_SOURCE\", \"values\": [{\"value\": \"google\"}]},"
                + " {\"id\": \"1100101\", \"name\": \"Lead source\", \"values\": [{\"value\": \"Website form\", \"enum\": \"2200101\"}]},"
                + " {\"id\": \"1100103\", \"name\": \"Budget\", \"values\": [{\"value\": \"150000\"}]},"
                + " {\"id\": \"1100104\", \"name\": \"Comment\", \"values\": [{\"value\": \"Call after 6 pm, gate code 1234# Ask for John and Mary\"}]}],"
                + " \"created_at\": \"1732608015\", \"updated_at\": \"1732611600\"}";
    }

    static String sha256(String body) {
        return sha256(body.getBytes(StandardCharsets.US_ASCII));
    }

    static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String upsert(int events, String id, String version, String payload) {
        String rows = events == 1 ? String.format(ONE_ROW, id, version, payload)
                : String.format(MANY_ROWS, id, version, payload, events - 1);
        return UPSERT_HEAD + rows + UPSERT_TAIL;
    }

    /** The pgbench script: random id and version, the journal insert and the upsert in one transaction. */
    static void writePgbenchScript(BenchTool.Args args) throws Exception {
        int events = args.integer("events", 1);
        String body = body(events);
        String script = "\\set id random(1, 1000000000)\n"
                + "\\set ver random(1700000000, 1800000000)\n"
                + "BEGIN;\n"
                + String.format(JOURNAL, literal(sha256(body)), literal(body)) + ";\n"
                + upsert(events, ":id", ":ver", literal(payload())) + ";\n"
                + "END;\n";
        // pgbench substitutes :name everywhere: the literals must not contain one by accident
        String withoutVariables = script.replace(":id", "").replace(":ver", "");
        if (Pattern.compile(":[A-Za-z0-9_]").matcher(withoutVariables).find()) {
            throw new IllegalStateException("the pgbench script has a ':name' inside a literal");
        }
        Files.writeString(args.path("out"), script, StandardCharsets.US_ASCII);
    }

    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** One transaction of the limit: the raw request into the journal, a random lead (id and version) upserted. */
    static void store(Connection connection, PreparedStatement journal, String hash, String body, PreparedStatement upsert,
            String payload) throws java.sql.SQLException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        journal.setString(1, hash);
        journal.setString(2, body);
        journal.executeUpdate();
        upsert.setLong(1, random.nextLong(1, 1_000_000_000L));
        upsert.setLong(2, random.nextLong(1_700_000_000L, 1_800_000_000L));
        upsert.setString(3, payload);
        upsert.executeUpdate();
        connection.commit();
    }

    /** The same transaction with JDBC only, for machines without pgbench. */
    static void run(BenchTool.Args args) throws Exception {
        int clients = args.integer("clients", 16);
        int events = args.integer("events", 1);
        double seconds = args.decimal("seconds", 10);
        String body = body(events);
        String hash = sha256(body);
        String payload = payload();
        String journal = String.format(JOURNAL, "?", "?");
        String upsert = upsert(events, "?", "?", "?");
        AtomicLong transactions = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<Connection> connections = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Connection connection = BenchTool.connect(args);
            connection.setAutoCommit(false);
            connections.add(connection);
        }
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (Connection connection : connections) {
            Thread thread = new Thread(() -> {
                try (PreparedStatement j = connection.prepareStatement(journal);
                     PreparedStatement u = connection.prepareStatement(upsert)) {
                    while (System.nanoTime() < deadline) {
                        try {
                            store(connection, j, hash, body, u, payload);
                            transactions.incrementAndGet();
                        } catch (java.sql.SQLException e) {
                            failures.incrementAndGet();
                            connection.rollback();
                        }
                    }
                } catch (java.sql.SQLException e) {
                    failures.incrementAndGet();
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        for (Connection connection : connections) {
            connection.close();
        }
        writeJdbcResult(args.path("result"), transactions.get(), failures.get(), elapsed);
    }

    /** The result file of a JDBC run, in the keys bench.sh reads from pgbench's output too. */
    static void writeJdbcResult(java.nio.file.Path file, long transactions, long failures, double elapsed)
            throws java.io.IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("tool", "jdbc");
        result.put("tps", String.format(java.util.Locale.ROOT, "%.1f", transactions / elapsed));
        result.put("transactions", transactions);
        result.put("failures", failures);
        BenchTool.writeResult(file, result);
    }
}
