import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code statements} scenario: the product's own transaction for one lead update, with no server in front of it.
 * The statements are read from the server's SQL files (src/main/resources/sql) in the order the server sends them for
 * a single-event request: the duplicate lookup, the already-applied lookup, the lead's upsert, the event's journal
 * row, the request's journal row, then the commit. Their parameters become per-transaction values: a fresh request
 * id and body hash, a random lead id and version. A parameter this class has no value for fails the run, so a change
 * to the SQL files cannot silently leave the scenario measuring something else.
 *
 * <p>It answers what the 60 % target asks of any implementation of the product: how fast PostgreSQL alone, driven
 * by pgbench (or JDBC), stores one event the way the product must, against the database limit's two statements.
 * Run twice: one round trip per statement, as the server sends them; and with the three writes in one round trip
 * (pgbench's pipeline; with JDBC, one multi-statement text), the fewest a server that must read the lookups'
 * answers first could use.
 */
final class ProductStatements {

    private ProductStatements() {
    }

    /** The SQL files of one single-event request, in the order the server runs them; the last three are writes. */
    static final List<String> FILES = List.of("webhook-request-find-duplicate.sql", "webhook-events-find-applied.sql",
            "lead-upsert.sql", "webhook-event-insert.sql", "webhook-request-insert.sql");
    static final int WRITES_FROM = 2;

    /** Prefix of the requests it journals: the check counts them. */
    static final String PREFIX = "bench-statements-";

    // per transaction (pgbench variables; JDBC binds the same names): the lead, its version, the request
    private static final String HEAD = "\\set id random(8000000000, 8999999999)\n"
            + "\\set ver random(1700000000, 1800000000)\n"
            + "\\set rnd random(1, 1000000000000)\n";
    private static final String REQUEST_ID = "md5(:client_id || '-' || :rnd)";
    private static final String AMO_REQUEST_ID = "('" + PREFIX + "' || :client_id || '-' || :rnd)";
    private static final String BODY_SHA256 = "(md5('body-' || :client_id || '-' || :rnd) || md5('sha-' || :rnd))";
    private static final String VERSION = "to_timestamp(:ver)";

    /** The values of each file's parameters, as SQL expressions over the variables above. */
    static Map<String, Map<String, String>> values() {
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        files.put("webhook-request-find-duplicate.sql", Map.of(
                "amo_request_id", AMO_REQUEST_ID, "body_sha256", BODY_SHA256, "window_seconds", "7200"));
        files.put("webhook-events-find-applied.sql", Map.of(
                "keys", "('[{\"entity\": \"lead\", \"entity_id\": \"' || :id || '\", \"action\": \"update\", \"version\": \"'"
                        + " || " + VERSION + " || '\"}]')"));
        Map<String, String> lead = new LinkedHashMap<>();
        lead.put("id", "CAST(:id AS bigint)");
        lead.put("account_id", "31234567");
        lead.put("name", "'Website order'");
        lead.put("status_id", "63012345");
        lead.put("pipeline_id", "7654321");
        lead.put("price", "12500");
        lead.put("responsible_user_id", "10456789");
        lead.put("created_user_id", "10456789");
        lead.put("modified_user_id", "10456790");
        lead.put("created_at", "to_timestamp(1732608015)");
        lead.put("version", VERSION);
        lead.put("custom_fields", DbLimit.literal(CUSTOM_FIELDS));
        lead.put("tags", "'[{\"id\": \"512301\", \"name\": \"website\"}]'");
        lead.put("action", "'update'");
        lead.put("payload", DbLimit.literal(DbLimit.payload()));
        lead.put("present", "'id,account_id,name,status_id,pipeline_id,price,responsible_user_id,created_user_id,"
                + "modified_user_id,created_at,updated_at,custom_fields,tags'");
        files.put("lead-upsert.sql", lead);
        files.put("webhook-event-insert.sql", Map.of(
                "request_id", REQUEST_ID, "topic", "'leads'", "entity", "'lead'", "action", "'update'",
                "entity_id", "CAST(:id AS text)", "version", VERSION, "outcome", "'stored'", "payload", "NULL"));
        Map<String, String> request = new LinkedHashMap<>();
        request.put("id", REQUEST_ID);
        request.put("received_at", "now()");
        request.put("amo_request_id", AMO_REQUEST_ID);
        request.put("account_id", "31234567");
        request.put("account_subdomain", "'examplecrm'");
        request.put("body_bytes", "2164");
        request.put("body_sha256", BODY_SHA256);
        request.put("outcome", "'accepted'");
        request.put("http_status", "200");
        request.put("error_code", "NULL");
        request.put("error", "NULL");
        request.put("duplicate_of", "NULL");
        request.put("events", "1");
        request.put("stored", "1");
        request.put("stale", "0");
        request.put("dead_lettered", "0");
        request.put("ignored", "0");
        request.put("duplicates", "0");
        request.put("duration_ms", "3");
        files.put("webhook-request-insert.sql", request);
        return files;
    }

    private static final String CUSTOM_FIELDS = "[{\"id\": \"1100002\", \"name\": \"utm_source\", \"code\": \"UTM_SOURCE\","
            + " \"values\": [{\"value\": \"google\"}]}, {\"id\": \"1100101\", \"name\": \"Lead source\","
            + " \"values\": [{\"value\": \"Website form\", \"enum\": \"2200101\"}]}]";

    private static final Pattern PARAMETER = Pattern.compile(":#([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern VARIABLE = Pattern.compile(":(client_id|id|ver|rnd)\\b");

    /** The five statements with their values in place of camel-sql's {@code :#name} parameters. */
    static List<String> statements(Path sqlDir) throws IOException {
        Map<String, Map<String, String>> values = values();
        List<String> statements = new ArrayList<>();
        for (String file : FILES) {
            StringBuilder sql = new StringBuilder();
            for (String line : Files.readAllLines(sqlDir.resolve(file), StandardCharsets.UTF_8)) {
                if (!line.strip().startsWith("--")) {
                    sql.append(line.strip()).append(' ');
                }
            }
            Map<String, String> known = values.get(file);
            Matcher m = PARAMETER.matcher(sql.toString().strip());
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String value = known.get(m.group(1));
                if (value == null) {
                    throw new IllegalStateException(file + " has a parameter :#" + m.group(1)
                            + " that the statements scenario has no value for (scripts/bench/tool/ProductStatements.java)");
                }
                m.appendReplacement(out, Matcher.quoteReplacement(value));
            }
            m.appendTail(out);
            statements.add(out.toString());
        }
        return statements;
    }

    /** pgbench's script: BEGIN, the five statements (the writes in one pipeline with --pipelined), COMMIT. */
    static void writePgbenchScript(BenchTool.Args args) throws Exception {
        List<String> statements = statements(args.path("sql-dir"));
        boolean pipelined = Boolean.parseBoolean(args.get("pipelined", "false"));
        StringBuilder script = new StringBuilder(HEAD).append("BEGIN;\n");
        for (int i = 0; i < statements.size(); i++) {
            if (pipelined && i == WRITES_FROM) {
                script.append("\\startpipeline\n");
            }
            script.append(statements.get(i)).append(";\n");
        }
        if (pipelined) {
            script.append("\\endpipeline\n");
        }
        script.append("COMMIT;\n");
        // pgbench substitutes :name everywhere: only the variables may be named so
        String withoutVariables = VARIABLE.matcher(script).replaceAll("");
        Matcher stray = Pattern.compile(":[A-Za-z_][A-Za-z0-9_]*").matcher(withoutVariables.replace("::", ""));
        if (stray.find()) {
            throw new IllegalStateException("the statements script has " + stray.group() + " that pgbench would substitute");
        }
        Files.writeString(args.path("out"), script, StandardCharsets.UTF_8);
    }

    /** The same transaction with JDBC only, for machines without pgbench; --pipelined sends the writes as one text. */
    static void run(BenchTool.Args args) throws Exception {
        List<String> statements = statements(args.path("sql-dir"));
        boolean pipelined = Boolean.parseBoolean(args.get("pipelined", "false"));
        List<String> texts = new ArrayList<>(statements.subList(0, WRITES_FROM));
        if (pipelined) {
            texts.add(String.join(";\n", statements.subList(WRITES_FROM, statements.size())));
        } else {
            texts.addAll(statements.subList(WRITES_FROM, statements.size()));
        }
        int clients = args.integer("clients", 16);
        double seconds = args.decimal("seconds", 10);
        AtomicLong transactions = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 1; c <= clients; c++) {
            int client = c;
            Thread thread = new Thread(() -> {
                try (Connection connection = BenchTool.connect(args)) {
                    connection.setAutoCommit(false);
                    List<Bound> bound = new ArrayList<>();
                    for (String text : texts) {
                        bound.add(Bound.of(connection, text));
                    }
                    while (System.nanoTime() < deadline) {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        Map<String, Long> vars = Map.of("client_id", (long) client,
                                "id", random.nextLong(8_000_000_000L, 9_000_000_000L),
                                "ver", random.nextLong(1_700_000_000L, 1_800_000_000L),
                                "rnd", random.nextLong(1, 1_000_000_000_000L));
                        try {
                            for (Bound b : bound) {
                                b.execute(vars);
                            }
                            connection.commit();
                            transactions.incrementAndGet();
                        } catch (SQLException e) {
                            failures.incrementAndGet();
                            connection.rollback();
                        }
                    }
                    for (Bound b : bound) {
                        b.statement.close();
                    }
                } catch (SQLException e) {
                    failures.incrementAndGet();
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        DbLimit.writeJdbcResult(args.path("result"), transactions.get(), failures.get(), (System.nanoTime() - start) / 1e9);
    }

    /** One statement text with its pgbench variables as JDBC parameters, in order. */
    private record Bound(PreparedStatement statement, List<String> names) {
        static Bound of(Connection connection, String text) throws SQLException {
            List<String> names = new ArrayList<>();
            Matcher m = VARIABLE.matcher(text);
            StringBuilder sql = new StringBuilder();
            while (m.find()) {
                names.add(m.group(1));
                m.appendReplacement(sql, "CAST(? AS bigint)");
            }
            m.appendTail(sql);
            return new Bound(connection.prepareStatement(sql.toString()), names);
        }

        void execute(Map<String, Long> vars) throws SQLException {
            for (int i = 0; i < names.size(); i++) {
                statement.setLong(i + 1, vars.get(names.get(i)));
            }
            statement.execute();
            while (statement.getMoreResults() || statement.getUpdateCount() != -1) {
                // every statement of a multi-statement text has run; their results are not needed
            }
        }
    }

    /**
     * The check after both runs: every transaction pgbench (or JDBC) counted journaled its request and its event,
     * and nothing else was (the leads are not counted: two transactions may draw the same random id). Writes
     * check.result ({@code check=OK} or the difference).
     */
    static int verify(BenchTool.Args args) throws Exception {
        long expected = 0;
        for (String file : args.required("results").split(",")) {
            String counted = BenchTool.readResult(Path.of(file)).getOrDefault("transactions", "");
            // a run whose count could not be read fails the check
            expected = counted.matches("\\d+") && expected >= 0 ? expected + Long.parseLong(counted) : -1;
        }
        long requests;
        long events;
        try (Connection c = BenchTool.connect(args); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM webhook_requests WHERE amo_request_id LIKE '"
                     + PREFIX + "%'), (SELECT count(*) FROM webhook_events e JOIN webhook_requests q ON q.id = e.request_id"
                     + " WHERE q.amo_request_id LIKE '" + PREFIX + "%')")) {
            r.next();
            requests = r.getLong(1);
            events = r.getLong(2);
        }
        boolean ok = expected > 0 && requests == expected && events == expected;
        if (expected < 0) {
            expected = 0;
        }
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("check", ok ? "OK" : "FAILED");
        check.put("check_text", (ok ? "OK: " : "FAILED: ") + expected + " transactions counted; " + requests
                + " requests and " + events + " events journaled");
        BenchTool.writeResult(args.path("out"), check);
        return ok ? 0 : 1;
    }
}
