package dev.amowebhook.monitoring;

import dev.amowebhook.store.UpsertBatchingDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Metrics the product adds: Camel's in-flight gauges (Camel picks event notifier beans up by itself), batched upserts. */
@Configuration(proxyBeanMethods = false)
class MonitoringConfiguration {

    @Bean
    RouteInflightGauges routeInflightGauges(MeterRegistry registry) {
        return new RouteInflightGauges(registry);
    }

    /** Bulk requests' upserts sent in batches (store/UpsertBatch): stored, or retried event by event. */
    @Bean
    MeterBinder batchedUpsertsMetrics(DataSource dataSource) {
        return registry -> {
            if (dataSource instanceof UpsertBatchingDataSource batches) {
                String description = "Upserts of bulk requests sent to PostgreSQL in batches, by result";
                FunctionCounter.builder("amocrm.webhook.batched.upserts", batches,
                                UpsertBatchingDataSource::storedInBatches)
                        .description(description).tag("result", "stored").register(registry);
                FunctionCounter.builder("amocrm.webhook.batched.upserts", batches,
                                UpsertBatchingDataSource::retriedEventByEvent)
                        .description(description).tag("result", "retried").register(registry);
            }
        };
    }
}
