import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * After a scenario: is every event the server answered 2xx for really in PostgreSQL?
 * <ol>
 *   <li>Every 2xx answer has its {@code webhook_requests} row (accepted, or duplicate of an accepted one), and no
 *       more requests were journaled than were sent.</li>
 *   <li>Every accepted request has exactly its events in {@code webhook_events} and every entity row its events
 *       must leave (from the generator's manifest) exists in its table.</li>
 *   <li>The events counted in the 2xx answers are all in {@code webhook_events}; nothing was dead-lettered.</li>
 * </ol>
 * Waits first until the server has finished the requests still in flight when the load stopped (they are
 * committed after the load tool stopped counting, so there may be more rows than 2xx answers, never fewer).
 */
final class Verify {

    static final String PRODUCT_TABLES = "webhook_requests, webhook_events, amo_leads, amo_contacts, amo_companies, "
            + "amo_lead_status_changes, dead_letters, amo_tasks, amo_notes, amo_unsorted, amo_messages, amo_talks, amo_customers";

    private Verify() {
    }

    record Expected(int events, String[] keys) {
    }

    /**
     * Empties the product's tables and fills them with {@code --history} already journaled events (leads, ids
     * far from the generator's), so each scenario meets a server that has been running for a while: the lookups
     * must find their indexes in a journal of realistic size, and the planner sees its statistics, as in
     * production. Empty, freshly analysed tables would let PostgreSQL plan (and cache) sequential scans that grow
     * with every event the scenario stores.
     */
    static void truncate(BenchTool.Args args) throws Exception {
        int history = args.integer("history", 0);
        try (Connection c = BenchTool.connect(args); Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + PRODUCT_TABLES + " RESTART IDENTITY");
            if (history > 0) {
                s.execute(String.format(HISTORY_REQUESTS, history));
                s.execute(HISTORY_EVENTS);
                s.execute(HISTORY_LEADS);
            }
            s.execute("VACUUM ANALYZE");
            // the history is a fixture: its data pages go to disk now, not by the kernel's write-back during the
            // scenario, where they would queue in front of the commits' WAL flushes (stalls of 50-150 ms here)
            s.execute("CHECKPOINT");
        }
    }

    /** One accepted request per historical event, spread over the last 30 days (some inside the dedupe window). */
    private static final String HISTORY_REQUESTS = """
            INSERT INTO webhook_requests (id, received_at, amo_request_id, account_id, account_subdomain, body_bytes,
                body_sha256, outcome, http_status, events, stored, duration_ms)
            SELECT gen_random_uuid(), now() - make_interval(secs => i * 2592000.0 / %1$d), 'history-' || i, 31234567,
                   'examplecrm', 2100, md5('history-' || i) || md5('body-' || i), 'accepted', 200, 1, 1, 5
            FROM generate_series(1, %1$d) AS i""";

    /** Each request's event: a lead update, 4 updates per lead. */
    private static final String HISTORY_EVENTS = """
            INSERT INTO webhook_events (request_id, recorded_at, topic, entity, action, entity_id, version, outcome)
            SELECT id, received_at, 'leads', 'lead', 'update',
                   CAST(8000000000 + CAST(substr(amo_request_id, 9) AS bigint) / 4 AS text), received_at, 'stored'
            FROM webhook_requests""";

    /** The leads those events left, at their latest version. */
    private static final String HISTORY_LEADS = """
            INSERT INTO amo_leads (id, account_id, name, status_id, pipeline_id, price, responsible_user_id,
                created_at, updated_at, last_action, payload)
            SELECT CAST(entity_id AS bigint), 31234567, 'Order ' || entity_id, 63012345, 7654321, 1000, 10456789,
                   min(version), max(version), 'update',
                   jsonb_build_object('id', entity_id, 'name', 'Order ' || entity_id, 'status_id', '63012345')
            FROM webhook_events GROUP BY entity_id""";

    static int run(BenchTool.Args args) throws Exception {
        String prefix = args.required("prefix");
        Map<String, String> load = BenchTool.readResult(args.path("load"));
        Map<String, Expected> manifest = readManifest(args.path("manifest"));
        List<String> failures = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection c = BenchTool.connect(args)) {
            waitUntilQuiet(c, prefix);

            Map<String, String> outcomeById = new HashMap<>();
            Map<String, String> amoIdById = new HashMap<>();
            Map<String, String> duplicateOf = new HashMap<>();
            Map<String, Integer> acceptedPerAmoId = new HashMap<>();
            long accepted = 0;
            long duplicates = 0;
            long rejected = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT CAST(id AS text), amo_request_id, outcome, "
                    + "CAST(duplicate_of AS text) FROM webhook_requests WHERE amo_request_id LIKE ?")) {
                s.setString(1, prefix + "%");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        String outcome = rs.getString(3);
                        outcomeById.put(id, outcome);
                        amoIdById.put(id, rs.getString(2));
                        switch (outcome) {
                            case "accepted" -> {
                                accepted++;
                                acceptedPerAmoId.merge(rs.getString(2), 1, Integer::sum);
                            }
                            case "duplicate" -> {
                                duplicates++;
                                duplicateOf.put(id, rs.getString(4));
                            }
                            default -> rejected++;
                        }
                    }
                }
            }
            Map<String, Long> eventsByRequest = new HashMap<>();
            long deadLettered = 0;
            long eventsInDb = 0;
            try (PreparedStatement s = c.prepareStatement("SELECT CAST(e.request_id AS text), count(*), "
                    + "count(*) FILTER (WHERE e.outcome = 'dead-lettered') FROM webhook_events e "
                    + "JOIN webhook_requests r ON r.id = e.request_id WHERE r.amo_request_id LIKE ? GROUP BY 1")) {
                s.setString(1, prefix + "%");
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        eventsByRequest.put(rs.getString(1), rs.getLong(2));
                        eventsInDb += rs.getLong(2);
                        deadLettered += rs.getLong(3);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT count(*) FROM dead_letters d "
                    + "JOIN webhook_requests r ON r.id = d.request_id WHERE r.amo_request_id LIKE ?")) {
                s.setString(1, prefix + "%");
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    deadLettered = Math.max(deadLettered, rs.getLong(1));
                }
            }
            Map<String, Set<String>> keysByTable = new HashMap<>();
            long expectedEvents = 0;
            long rowsChecked = 0;
            long missingRows = 0;
            long wrongEventCounts = 0;
            long unknownRequests = 0;
            List<String> examples = new ArrayList<>();
            for (Map.Entry<String, String> row : outcomeById.entrySet()) {
                if (!row.getValue().equals("accepted")) {
                    continue;
                }
                Expected expected = manifest.get(amoIdById.get(row.getKey()));
                if (expected == null) {
                    unknownRequests++;
                    continue;
                }
                expectedEvents += expected.events();
                long found = eventsByRequest.getOrDefault(row.getKey(), 0L);
                if (found != expected.events()) {
                    wrongEventCounts++;
                    example(examples, "request " + amoIdById.get(row.getKey()) + " has " + found
                            + " webhook_events rows, expected " + expected.events());
                }
                for (String key : expected.keys()) {
                    int colon = key.indexOf(':');
                    String table = key.substring(0, colon);
                    Set<String> present = keysByTable.computeIfAbsent(table, t -> keys(c, t));
                    rowsChecked++;
                    if (!present.contains(key.substring(colon + 1))) {
                        missingRows++;
                        example(examples, key + " of request " + amoIdById.get(row.getKey()) + " is not in PostgreSQL");
                    }
                }
            }
            long orphanDuplicates = duplicateOf.values().stream()
                    .filter(original -> !"accepted".equals(outcomeById.get(original))).count();
            long acceptedTwice = acceptedPerAmoId.values().stream().filter(n -> n > 1).count();

            long sent = number(load, "sent");
            long ok = number(load, "ok");
            long okAccepted = number(load, "accepted");
            long answeredEvents = number(load, "events");
            if (ok > accepted + duplicates) {
                failures.add((ok - accepted - duplicates) + " of " + ok + " 2xx answers have no webhook_requests row");
            }
            if (okAccepted > accepted) {
                failures.add(okAccepted + " answers said accepted but only " + accepted + " requests are journaled accepted");
            }
            if (accepted + duplicates + rejected > sent) {
                failures.add((accepted + duplicates + rejected) + " requests journaled but only " + sent + " sent");
            }
            if (answeredEvents > eventsInDb) {
                failures.add("2xx answers counted " + answeredEvents + " events, PostgreSQL has " + eventsInDb);
            }
            if (expectedEvents != eventsInDb) {
                failures.add("accepted requests carry " + expectedEvents + " events, webhook_events has " + eventsInDb);
            }
            if (wrongEventCounts > 0) {
                failures.add(wrongEventCounts + " accepted requests with a wrong number of webhook_events rows");
            }
            if (missingRows > 0) {
                failures.add(missingRows + " of " + rowsChecked + " entity rows missing");
            }
            if (unknownRequests > 0) {
                failures.add(unknownRequests + " accepted requests not in the manifest");
            }
            if (orphanDuplicates > 0) {
                failures.add(orphanDuplicates + " duplicates of a request that is not journaled accepted");
            }
            if (deadLettered > 0) {
                failures.add(deadLettered + " events dead-lettered (the bench sends only valid events)");
            }
            failures.addAll(examples);

            out.put("check", failures.isEmpty() ? "OK" : "FAIL");
            out.put("ok_answers", ok);
            out.put("journal_accepted", accepted);
            out.put("journal_duplicate", duplicates);
            out.put("journal_rejected", rejected);
            out.put("events_expected", expectedEvents);
            out.put("events_answered", answeredEvents);
            out.put("events_in_db", eventsInDb);
            out.put("rows_checked", rowsChecked);
            out.put("missing_rows", missingRows);
            out.put("dead_lettered", deadLettered);
            out.put("accepted_twice", acceptedTwice);
            out.put("detail", failures.isEmpty()
                    ? ok + " 2xx answers; " + accepted + " accepted + " + duplicates + " duplicate requests journaled; "
                            + eventsInDb + " events and all " + rowsChecked + " entity rows in PostgreSQL"
                            + (acceptedTwice > 0 ? "; " + acceptedTwice + " re-deliveries raced and were accepted twice" : "")
                    : String.join("; ", failures));
        }
        BenchTool.writeResult(args.path("out"), out);
        System.err.println("check " + out.get("check") + ": " + out.get("detail"));
        return failures.isEmpty() ? 0 : 1;
    }

    /**
     * The reference scenario's check: a journal row for every 2xx answer, and none for a request answered non-2xx.
     * Its server is stopped before this runs; a request whose answer was lost (cut off by the end of the load, a
     * socket error) may have committed, so the rows lie between the 2xx answers and the requests sent.
     */
    static int reference(BenchTool.Args args) throws Exception {
        Map<String, String> load = BenchTool.readResult(args.path("load"));
        long ok = number(load, "ok");
        long most = load.containsKey("sent") ? number(load, "sent") - number(load, "non2xx")
                : ok + args.integer("connections", 16);
        long rows;
        try (Connection c = BenchTool.connect(args); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM bench_journal")) {
            rs.next();
            rows = rs.getLong(1);
        }
        boolean good = rows >= ok && rows <= most;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("check", good ? "OK" : "FAIL");
        out.put("ok_answers", ok);
        out.put("journal_rows", rows);
        out.put("detail", ok + " 2xx answers; " + rows + " requests journaled"
                + (good ? "" : rows < ok ? ": " + (ok - rows) + " answered requests missing" : ": more rows than requests sent"));
        BenchTool.writeResult(args.path("out"), out);
        System.err.println("check " + out.get("check") + ": " + out.get("detail"));
        return good ? 0 : 1;
    }

    private static void example(List<String> examples, String text) {
        if (examples.size() < 5) {
            examples.add(text);
        }
    }

    private static long number(Map<String, String> values, String key) {
        String value = values.get(key);
        return value == null || value.isEmpty() ? 0 : (long) Double.parseDouble(value);
    }

    /** Requests still in flight when the load stopped are committed a little later: wait for the counts to settle. */
    private static void waitUntilQuiet(Connection c, String prefix) throws Exception {
        long last = -1;
        int stable = 0;
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && stable < 3) {
            long now;
            try (PreparedStatement s = c.prepareStatement("SELECT (SELECT count(*) FROM webhook_requests WHERE amo_request_id LIKE ?)"
                    + " + (SELECT count(*) FROM webhook_events) + (SELECT count(*) FROM pg_stat_activity"
                    + " WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend')")) {
                s.setString(1, prefix + "%");
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    now = rs.getLong(1);
                }
            }
            stable = now == last ? stable + 1 : 0;
            last = now;
            Thread.sleep(250);
        }
    }

    private static Set<String> keys(Connection c, String table) {
        String column = table.equals("amo_unsorted") ? "uid" : "id";
        Set<String> keys = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT CAST(" + column + " AS text) FROM " + table)) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read " + table + ": " + e.getMessage(), e);
        }
        return keys;
    }

    static Map<String, Expected> readManifest(Path file) throws Exception {
        Map<String, Expected> manifest = new HashMap<>();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = reader.readLine()) != null) {
                String[] parts = line.split("\t", -1);
                String[] keys = parts[2].isEmpty() ? new String[0] : parts[2].split(",");
                manifest.put(parts[0], new Expected(Integer.parseInt(parts[1]), keys));
            }
        }
        return manifest;
    }
}
