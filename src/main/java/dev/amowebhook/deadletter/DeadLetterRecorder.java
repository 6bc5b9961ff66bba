package dev.amowebhook.deadletter;

import dev.amowebhook.event.Account;
import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.ExtensionPoints;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.store.Json;
import dev.amowebhook.store.TransactionBoundaries;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;

/**
 * Builds the parameters of {@code sql/dead-letter-insert.sql} from an event the dead-letter channel caught:
 * the original event (topic, action, index, account and fields, enough to replay it), the exception with its
 * root cause, the route it failed in and how many attempts were made.
 */
public class DeadLetterRecorder {

    private static final int MAX_MESSAGE = 4000;

    private final Json json;

    public DeadLetterRecorder(Json json) {
        this.json = json;
    }

    public Map<String, Object> row(Exchange exchange) {
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Throwable root = rootCause(error);
        Map<String, Object> row = new HashMap<>();
        row.put("request_id", request.id().toString());
        row.put("amo_request_id", request.amoRequestId());
        row.put("topic", event.topic());
        row.put("entity", event.entity());
        row.put("action", event.action());
        row.put("entity_id", event.entityId());
        row.put("payload", json.write(envelope(event)));
        row.put("error_class", error == null ? "unknown" : error.getClass().getName());
        row.put("error_message", error == null ? null : truncate(error.getMessage()));
        row.put("root_cause", root == null || root == error ? null
                : root.getClass().getName() + ": " + truncate(root.getMessage()));
        // caught by the dead-letter channel: the failure route; caught by a doCatch (extensions): the route itself
        String failureRoute = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        row.put("route_id", failureRoute != null ? failureRoute : exchange.getFromRouteId());
        String failedEndpoint = exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class);
        row.put("failed_endpoint", failedEndpoint != null ? failedEndpoint
                : exchange.getProperty(ExtensionPoints.TARGET, String.class));
        row.put("target", exchange.getProperty(ExtensionPoints.TARGET, String.class));
        row.put("attempts", 1 + exchange.getProperty(TransactionBoundaries.RETRIES, 0, Integer.class));
        return row;
    }

    /** The original event as it came, enough to route it again. */
    public static Map<String, Object> envelope(AmoEvent event) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("topic", event.topic());
        envelope.put("entity", event.entity());
        envelope.put("action", event.action());
        envelope.put("index", event.index());
        Map<String, Object> account = new LinkedHashMap<>();
        account.put("id", event.account().id());
        account.put("subdomain", event.account().subdomain());
        envelope.put("account", account);
        envelope.put("data", event.data());
        return envelope;
    }

    /** The event back from its envelope, to be routed again (see {@link DeadLetterReplayer}). */
    @SuppressWarnings("unchecked")
    public static AmoEvent fromEnvelope(Map<String, Object> envelope) {
        Object data = envelope.get("data");
        Object account = envelope.get("account");
        Map<String, Object> accountMap = account instanceof Map<?, ?> a ? (Map<String, Object>) a : Map.of();
        return new AmoEvent(text(envelope.get("topic")), text(envelope.get("entity")), text(envelope.get("action")),
                text(envelope.get("index")),
                data instanceof Map<?, ?> d ? (Map<String, Object>) d : new LinkedHashMap<>(),
                new Account(nullable(accountMap.get("id")), nullable(accountMap.get("subdomain")), null));
    }

    private static String text(Object value) {
        return value == null ? "" : String.valueOf(value);
    }

    private static String nullable(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    static Throwable rootCauseOf(Throwable error) {
        return rootCause(error);
    }

    private static Throwable rootCause(Throwable error) {
        Throwable cause = error;
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String truncate(String text) {
        return text == null || text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }
}
