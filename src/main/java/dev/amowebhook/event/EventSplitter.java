package dev.amowebhook.event;

import dev.amowebhook.http.WebhookRejectedException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a parsed webhook into one {@link AmoEvent} per item, across every entity and action it carries
 * (bulk edits send several). Items come in index order; nothing is dropped: a shape the server does not know
 * still becomes an event, so it can be journaled as ignored rather than refused.
 */
public class EventSplitter {

    /** Ids compare as numbers (shorter first), so "9" comes before "10"; events without an id come last. */
    private static final Comparator<String> ID_ORDER = Comparator.nullsLast(
            Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));

    public List<AmoEvent> split(AmoWebhook webhook) {
        List<AmoEvent> events = new ArrayList<>();
        for (Map.Entry<String, Object> topic : webhook.tree().entrySet()) {
            if (topic.getKey().equals("account")) {
                continue;
            }
            if (!(topic.getValue() instanceof Map<?, ?> actions)) {
                events.add(event(topic.getKey(), "", "", topic.getValue(), webhook.account()));
                continue;
            }
            for (Map.Entry<?, ?> action : actions.entrySet()) {
                String actionName = (String) action.getKey();
                if (!(action.getValue() instanceof Map<?, ?> items)) {
                    events.add(event(topic.getKey(), actionName, "", action.getValue(), webhook.account()));
                    continue;
                }
                for (Map.Entry<String, Object> item : IndexedNodes.entries(asTree(items))) {
                    events.add(event(topic.getKey(), actionName, item.getKey(), item.getValue(), webhook.account()));
                }
            }
        }
        if (events.isEmpty()) {
            throw new WebhookRejectedException(400, "no_events",
                    "the webhook carries no events (expected fields like leads[add][0][id])");
        }
        return events;
    }

    @SuppressWarnings("unchecked")
    private static AmoEvent event(String topic, String action, String index, Object item, Account account) {
        Map<String, Object> data;
        if (item instanceof Map<?, ?> map) {
            data = (Map<String, Object>) map;
        } else {
            data = new LinkedHashMap<>();
            data.put("value", item);
        }
        String entity = entityOf(topic, action, data);
        if (entity.equals("note") && data.get("note") instanceof Map<?, ?> wrapped) {
            data = (Map<String, Object>) wrapped;
        }
        return new AmoEvent(topic, entity, action, index, data, account);
    }

    /** amoCRM sends companies under {@code contacts} with {@code type=company}, and notes under their parent. */
    static String entityOf(String topic, String action, Map<String, Object> data) {
        if (action.equals("note")) {
            return "note";
        }
        return switch (topic) {
            case "leads" -> "lead";
            case "contacts" -> "company".equals(data.get("type")) ? "company" : "contact";
            case "companies" -> "company";
            case "task", "tasks" -> "task";
            case "customers" -> "customer";
            case "unsorted" -> "unsorted";
            case "message", "messages" -> "message";
            case "talk", "talks" -> "talk";
            default -> topic;
        };
    }

    /**
     * The order events are applied in: by entity and id, so every request takes its row locks in the same order and
     * two requests updating the same leads at once (bulk edits, retries landing on two servers) wait for each other
     * instead of deadlocking. The sort is stable: the events of one entity keep the order amoCRM sent them in.
     */
    public List<AmoEvent> inLockOrder(List<AmoEvent> events) {
        List<AmoEvent> ordered = new ArrayList<>(events);
        ordered.sort(Comparator.comparing(AmoEvent::entity).thenComparing(AmoEvent::entityId, ID_ORDER));
        return ordered;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asTree(Map<?, ?> node) {
        return (Map<String, Object>) node;
    }
}
