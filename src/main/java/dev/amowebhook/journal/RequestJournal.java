package dev.amowebhook.journal;

import dev.amowebhook.event.Account;
import dev.amowebhook.event.EventTally;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.http.WebhookRejectedException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;

/** Builds the parameters of the {@code sql/webhook-request-*.sql} statements: journal rows and the duplicate check. */
public class RequestJournal {

    private final Duration dedupeWindow;

    /** @param dedupeWindow how long an accepted request's id and body hash mark re-deliveries as duplicates */
    public RequestJournal(Duration dedupeWindow) {
        this.dedupeWindow = dedupeWindow;
    }

    public Map<String, Object> accepted(Exchange exchange) throws InvalidPayloadException {
        EventTally tally = exchange.getIn().getMandatoryBody(EventTally.class);
        Map<String, Object> row = base(exchange, "accepted", 200);
        row.put("events", tally.events());
        row.put("stored", tally.stored());
        row.put("stale", tally.stale());
        row.put("dead_lettered", tally.deadLettered());
        row.put("ignored", tally.ignored());
        row.put("duplicates", tally.duplicates());
        return row;
    }

    /** A re-delivery of an accepted request: journaled, its events not applied again. */
    public Map<String, Object> duplicate(Exchange exchange) {
        Map<String, Object> row = base(exchange, "duplicate", 200);
        row.put("duplicate_of", exchange.getProperty(Flow.DUPLICATE_OF, String.class));
        return row;
    }

    /** Parameters of {@code sql/webhook-request-find-duplicate.sql}. */
    public Map<String, Object> duplicateQuery(Exchange exchange) {
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        Map<String, Object> query = new HashMap<>();
        query.put("amo_request_id", request.amoRequestId());
        query.put("body_sha256", request.bodySha256());
        query.put("window_seconds", dedupeWindow.toSeconds());
        return query;
    }

    public Map<String, Object> rejected(Exchange exchange) {
        WebhookRejectedException rejection = Flow.rejection(exchange);
        Map<String, Object> row = base(exchange, "rejected", rejection.status());
        row.put("error_code", rejection.reason());
        row.put("error", rejection.getMessage());
        return row;
    }

    private static Map<String, Object> base(Exchange exchange, String outcome, int status) {
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        Account account = exchange.getProperty(Flow.ACCOUNT, Account.UNKNOWN, Account.class);
        Map<String, Object> row = new HashMap<>();
        row.put("id", request.id().toString());
        row.put("received_at", OffsetDateTime.ofInstant(request.receivedAt(), ZoneOffset.UTC));
        row.put("amo_request_id", request.amoRequestId());
        row.put("account_id", account.numericId());
        row.put("account_subdomain", account.subdomain());
        row.put("body_bytes", request.size());
        row.put("body_sha256", request.bodySha256());
        row.put("duplicate_of", null);
        row.put("outcome", outcome);
        row.put("http_status", status);
        row.put("error_code", null);
        row.put("error", null);
        row.put("events", 0);
        row.put("stored", 0);
        row.put("stale", 0);
        row.put("dead_lettered", 0);
        row.put("ignored", 0);
        row.put("duplicates", 0);
        row.put("duration_ms", (int) Duration.between(request.receivedAt(), Instant.now()).toMillis());
        return row;
    }
}
