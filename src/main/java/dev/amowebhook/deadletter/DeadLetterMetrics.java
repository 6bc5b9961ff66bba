package dev.amowebhook.deadletter;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Dead-letter depth by entity and status as the gauge {@code amocrm_dead_letters}, refreshed from PostgreSQL on a
 * schedule (not per scrape, so a slow database never slows the metrics endpoint).
 */
public class DeadLetterMetrics {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterMetrics.class);

    private final DeadLetterStore store;
    private final MultiGauge depth;

    public DeadLetterMetrics(DeadLetterStore store, MeterRegistry registry) {
        this.store = store;
        this.depth = MultiGauge.builder("amocrm_dead_letters")
                .description("Dead letters by entity and status").register(registry);
    }

    @Scheduled(fixedDelayString = "${amocrm.dead-letter.metrics-refresh:15s}", initialDelay = 0)
    public void refresh() {
        try {
            depth.register(store.depth().stream().map(row -> MultiGauge.Row.of(
                    Tags.of("entity", (String) row.get("entity"), "status", (String) row.get("status")),
                    ((Number) row.get("depth")).doubleValue())).toList(), true);
        } catch (RuntimeException e) {
            log.debug("dead-letter depth not refreshed: {}", e.getMessage());
        }
    }
}
