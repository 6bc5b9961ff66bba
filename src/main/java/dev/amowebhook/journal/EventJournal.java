package dev.amowebhook.journal;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.store.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.apache.camel.Exchange;

/** Builds the parameters of {@code sql/webhook-event-insert.sql}: one row per event with its outcome. */
public class EventJournal {

    private final Json json;

    public EventJournal(Json json) {
        this.json = json;
    }

    public Map<String, Object> row(Exchange exchange) {
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        String outcome = exchange.getProperty(Flow.OUTCOME, String.class);
        Map<String, Object> row = new HashMap<>();
        row.put("request_id", request.id().toString());
        row.put("topic", event.topic());
        row.put("entity", event.entity());
        row.put("action", event.action());
        row.put("entity_id", event.entityId());
        row.put("version", event.version());
        row.put("outcome", outcome);
        row.put("payload", "ignored".equals(outcome) ? json.write(event.data()) : null);
        return row;
    }

    /** Rows of this request's events, written in one batch when the request is accepted. */
    public static final String ROWS = "amoJournalRows";
    /** Keys of this request's events that were already stored from other requests. */
    public static final String APPLIED = "amoAppliedKeys";

    /** Whether the request collected journal rows (accept-request, as {@code ref: journalRowsCollected}). */
    @SuppressWarnings("unchecked")
    public boolean hasRows(Exchange exchange) {
        List<Map<String, Object>> rows = exchange.getProperty(ROWS, List.class);
        return rows != null && !rows.isEmpty();
    }

    /**
     * journal-event's filter. In a request: adds the event's row to the request's batch (one multi-row insert at
     * the end instead of one statement per event) and answers false. Outside one (a replay): answers true, the row
     * is to be inserted on its own, now.
     */
    @SuppressWarnings("unchecked")
    public boolean writtenAlone(Exchange exchange) {
        List<Map<String, Object>> rows = exchange.getProperty(ROWS, List.class);
        if (rows == null) {
            return true;
        }
        rows.add(row(exchange));
        return false;
    }

    /** Called by the splitter: a fresh batch and the applied-keys lookup for this request's events. */
    public Map<String, Object> openRequest(List<AmoEvent> events, Exchange exchange) {
        exchange.setProperty(ROWS, Collections.synchronizedList(new ArrayList<Map<String, Object>>()));
        List<Map<String, Object>> keys = new ArrayList<>();
        for (AmoEvent event : events) {
            if (event.version() != null && event.entityId() != null) {
                Map<String, Object> key = new HashMap<>();
                key.put("entity", event.entity());
                key.put("entity_id", event.entityId());
                key.put("action", event.action());
                key.put("version", event.version().toString());
                keys.add(key);
            }
        }
        return Map.of("keys", json.write(keys));
    }

    /** Keeps the keys the lookup found, for {@link #alreadyApplied}. */
    public void rememberApplied(List<Map<String, Object>> found, Exchange exchange) {
        Set<String> keys = new HashSet<>();
        for (Map<String, Object> row : found) {
            keys.add((String) row.get("key"));
        }
        exchange.setProperty(APPLIED, keys);
    }

    /** Whether this event was already stored from another request, when the request looked it up beforehand. */
    @SuppressWarnings("unchecked")
    public Boolean alreadyApplied(Exchange exchange) {
        Set<String> keys = exchange.getProperty(APPLIED, Set.class);
        if (keys == null) {
            return null;
        }
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        if (event.version() == null || event.entityId() == null) {
            return false;
        }
        return keys.contains(event.entity() + "|" + event.entityId() + "|" + event.action() + "|"
                + event.version());
    }

    /** Parameters of {@code sql/webhook-event-find-applied.sql}. */
    public Map<String, Object> appliedQuery(Exchange exchange) {
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        Map<String, Object> query = new HashMap<>();
        query.put("entity", event.entity());
        query.put("entity_id", event.entityId());
        query.put("action", event.action());
        query.put("version", event.version());
        return query;
    }
}
