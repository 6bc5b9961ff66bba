package dev.amowebhook.http;

import dev.amowebhook.store.AfterCommit;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.event.Account;
import dev.amowebhook.event.EventTally;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON answers of the webhook endpoint and their log lines: 200 with counts, a 4xx naming the problem,
 * 503 when the database is unreachable (amoCRM retries), 500 for a bug. Headers are cleared before the status
 * is set, so nothing copied from the request leaks into the answer and the status is not lost.
 */
public class WebhookAnswers {

    private static final Logger log = LoggerFactory.getLogger("dev.amowebhook.webhook");

    private final ObjectMapper mapper;
    private final WebhookMetrics metrics;

    public WebhookAnswers(ObjectMapper mapper, WebhookMetrics metrics) {
        this.mapper = mapper;
        this.metrics = metrics;
    }

    public void accepted(Exchange exchange) throws InvalidPayloadException {
        EventTally tally = exchange.getIn().getMandatoryBody(EventTally.class);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        Account account = exchange.getProperty(Flow.ACCOUNT, Account.UNKNOWN, Account.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "accepted");
        body.put("requestId", request.id().toString());
        body.put("events", tally.events());
        body.put("stored", tally.stored());
        body.put("stale", tally.stale());
        body.put("deadLettered", tally.deadLettered());
        body.put("ignored", tally.ignored());
        body.put("duplicate", tally.duplicates());
        // once committed: a first attempt whose commit finds a stale held upsert is stored again, and answered then
        AfterCommit.run(() -> {
            log.info("webhook processed request={} amoRequestId={} account={} events={} stored={} stale={} "
                            + "deadLettered={} ignored={} duplicate={}", request.id(), request.amoRequestId(),
                    describe(account), tally.events(), tally.stored(), tally.stale(), tally.deadLettered(),
                    tally.ignored(), tally.duplicates());
            metrics.request(request, "accepted", null);
        });
        answer(exchange, 200, body);
    }

    public void duplicate(Exchange exchange) {
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        Account account = exchange.getProperty(Flow.ACCOUNT, Account.UNKNOWN, Account.class);
        String original = exchange.getProperty(Flow.DUPLICATE_OF, String.class);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "duplicate");
        body.put("requestId", request.id().toString());
        body.put("duplicateOf", original);
        body.put("events", 0);
        AfterCommit.run(() -> {
            log.info("webhook processed request={} amoRequestId={} account={} duplicate of {}: events not applied again",
                    request.id(), request.amoRequestId(), describe(account), original);
            metrics.request(request, "duplicate", null);
        });
        answer(exchange, 200, body);
    }

    public void disconnected(Exchange exchange) {
        Map<String, Object> row = exchange.getIn().getBody(Map.class);
        log.warn("amoCRM disconnected the integration for account {}", row == null ? null : row.get("account_id"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "disconnected");
        body.put("accountId", row == null ? null : row.get("account_id"));
        answer(exchange, 200, body);
    }

    public void rejected(Exchange exchange) {
        WebhookRejectedException rejection = Flow.rejection(exchange);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        log.warn("webhook rejected request={} amoRequestId={} status={} cause={}: {}",
                request == null ? null : request.id(), request == null ? null : request.amoRequestId(),
                rejection.status(), rejection.reason(), rejection.getMessage());
        metrics.request(request, "rejected", rejection.reason());
        answer(exchange, rejection.status(), error(rejection.status(), rejection.reason(), rejection.getMessage(), request));
    }

    public void databaseUnavailable(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        if (dedupeLockTimedOut(cause)) {
            // amo_find_delivered gave up waiting for the dedupe lock: another delivery of the same request is
            // still being stored (a slow original, or a stuck one), not a database that is down
            log.warn("webhook not stored, another delivery of it is still being stored request={} amoRequestId={}",
                    request == null ? null : request.id(), request == null ? null : request.amoRequestId());
            metrics.request(request, "unavailable", "delivery_in_progress");
            answer(exchange, 503, error(503, "delivery_in_progress",
                    "Another delivery of this webhook is still being stored: this one was not stored, retry later", request));
            return;
        }
        log.error("webhook not stored, database unavailable request={}: {}",
                request == null ? null : request.id(), cause == null ? null : cause.getMessage());
        metrics.request(request, "unavailable", "database_unavailable");
        answer(exchange, 503, error(503, "database_unavailable",
                "Database connection failed: the webhook was not stored, retry later", request));
    }

    /**
     * PostgreSQL's lock_not_available (55P03) raised at the advisory-lock {@code PERFORM} of amo_find_delivered: its
     * 1.5 s {@code lock_timeout} ran out waiting for another delivery. The same code from any other lock wait (a table
     * held by DDL, an operator's own lock_timeout) is a database problem and stays {@code database_unavailable}.
     */
    static boolean dedupeLockTimedOut(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PSQLException psql && "55P03".equals(psql.getSQLState())) {
                ServerErrorMessage message = psql.getServerErrorMessage();
                String where = message == null ? null : message.getWhere();
                return where != null && where.contains("amo_find_delivered") && where.contains("PERFORM");
            }
        }
        return false;
    }

    public void failed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        log.error("webhook failed request={}", request == null ? null : request.id(), cause);
        metrics.request(request, "failed", "internal_error");
        answer(exchange, 500, error(500, "internal_error", "internal error: the webhook was not stored", request));
    }

    private static Map<String, Object> error(int status, String code, String message, InboundRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        body.put("code", code);
        if (request != null) {
            body.put("requestId", request.id().toString());
        }
        return body;
    }

    private void answer(Exchange exchange, int status, Map<String, Object> body) {
        JsonAnswer.write(exchange, mapper, status, body);
    }

    private static String describe(Account account) {
        if (account.subdomain() == null && account.id() == null) {
            return "unknown";
        }
        return account.subdomain() + "#" + account.id();
    }
}
