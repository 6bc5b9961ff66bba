package dev.amowebhook.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The product's own metrics, next to Camel's route metrics (names as Prometheus shows them):
 * <ul>
 *   <li>{@code amocrm_webhook_requests_total{outcome, cause}}: accepted, duplicate, rejected (cause = the error code),
 *       unavailable, failed, overloaded</li>
 *   <li>{@code amocrm_webhook_request_seconds{outcome}}: receive-to-answer latency, a histogram</li>
 *   <li>{@code amocrm_webhook_slow_answers_total}: answers slower than amoCRM's ~2 s budget</li>
 *   <li>{@code amocrm_webhook_events_total{entity, action, outcome}}: events by what became of them</li>
 * </ul>
 * The gauges {@code amocrm_webhook_workers_busy} and {@code amocrm_webhook_queued} come from {@link WebhookWorkers}.
 * Entity and action tags take only known values ({@code other} else), so a sender cannot inflate cardinality.
 */
public class WebhookMetrics {

    static final Duration AMOCRM_BUDGET = Duration.ofSeconds(2);
    private static final Set<String> ENTITIES = Set.of("lead", "contact", "company", "task", "note", "unsorted",
            "message", "talk", "customer");
    private static final Set<String> ACTIONS = Set.of("add", "update", "delete", "status", "responsible", "restore",
            "note");

    private final MeterRegistry registry;
    private final Counter slowAnswers;
    /** The events counters by their tags: building and registering a meter per event would cost a lookup each time. */
    private final Map<String, Counter> eventCounters = new ConcurrentHashMap<>();

    public WebhookMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.slowAnswers = Counter.builder("amocrm_webhook_slow_answers")
                .description("Webhook answers slower than amoCRM's 2 s budget").register(registry);
    }

    void request(InboundRequest request, String outcome, String cause) {
        Counter.builder("amocrm_webhook_requests").description("Webhook requests by outcome and refusal cause")
                .tags("outcome", outcome, "cause", cause == null ? "none" : cause).register(registry).increment();
        if (request == null) {
            return;
        }
        Duration took = Duration.between(request.receivedAt(), Instant.now());
        Timer.builder("amocrm_webhook_request").description("Webhook receive-to-answer latency")
                .tag("outcome", outcome).publishPercentileHistogram().register(registry).record(took);
        if (took.compareTo(AMOCRM_BUDGET) > 0) {
            slowAnswers.increment();
        }
    }

    /**
     * Called for every journaled event, from the journal route. Inside a transaction the event counts when it
     * commits: a request whose first attempt is rolled back and stored again with savepoints journals its events
     * twice, and a request whose commit fails is not stored at all.
     */
    public void event(Exchange exchange) {
        String entity = exchange.getIn().getHeader("amoEntity", String.class);
        String action = exchange.getIn().getHeader("amoAction", String.class);
        String outcome = exchange.getProperty(Flow.OUTCOME, "unknown", String.class);
        String entityTag = ENTITIES.contains(entity) ? entity : "other";
        String actionTag = ACTIONS.contains(action) ? action : "other";
        Counter counter = eventCounters.computeIfAbsent(entityTag + '/' + actionTag + '/' + outcome, key -> Counter
                .builder("amocrm_webhook_events").description("Webhook events by entity, action and outcome")
                .tags("entity", entityTag, "action", actionTag, "outcome", outcome).register(registry));
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            counter.increment();
            return;
        }
        CountedOnCommit pending = (CountedOnCommit) TransactionSynchronizationManager.getResource(this);
        if (pending == null) {
            pending = new CountedOnCommit();
            TransactionSynchronizationManager.bindResource(this, pending);
            TransactionSynchronizationManager.registerSynchronization(pending);
        }
        pending.counters.add(counter);
    }

    /** A transaction's event counts, added when it commits and dropped when it rolls back. */
    private final class CountedOnCommit implements TransactionSynchronization {

        final List<Counter> counters = new ArrayList<>();

        @Override
        public void afterCommit() {
            counters.forEach(Counter::increment);
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(WebhookMetrics.this);
        }
    }
}
