package dev.amowebhook.journal;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.store.Json;
import java.util.HashMap;
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
