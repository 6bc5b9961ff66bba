package dev.amowebhook;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** Test helpers on the real database. */
public final class Tables {

    private Tables() {
    }

    public static void truncateAll(JdbcTemplate jdbc) {
        jdbc.execute("TRUNCATE webhook_requests, webhook_events, amo_leads, amo_contacts, amo_companies, "
                + "amo_lead_status_changes, dead_letters, amo_tasks, amo_notes, amo_unsorted, amo_messages, amo_talks, "
                + "amo_customers RESTART IDENTITY");
    }

    public static int count(JdbcTemplate jdbc, String table) {
        return jdbc.queryForObject("SELECT count(*) FROM " + table, Integer.class);
    }

    /** What became of each event of the request amoCRM sent with this id, as {@code entity_id=outcome}. */
    public static List<String> eventOutcomes(JdbcTemplate jdbc, String amoRequestId) {
        return jdbc.queryForList("""
                SELECT e.entity_id || '=' || e.outcome FROM webhook_events e
                JOIN webhook_requests r ON r.id = e.request_id
                WHERE r.amo_request_id = ? ORDER BY e.entity_id""", String.class, amoRequestId);
    }

    /** Row counts of every entity table and the dead letters, for "nothing changed" assertions. */
    public static String entityCounts(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT (SELECT count(*) FROM amo_leads) || '/' || (SELECT count(*) FROM amo_contacts)"
                + " || '/' || (SELECT count(*) FROM amo_companies) || '/' || (SELECT count(*) FROM amo_lead_status_changes)"
                + " || '/' || (SELECT count(*) FROM webhook_events) || '/' || (SELECT count(*) FROM dead_letters)",
                String.class);
    }
}
