package dev.amowebhook.monitoring;

import dev.amowebhook.store.UpsertBatchingDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Metrics the product adds: Camel's in-flight gauges (Camel picks event notifier beans up by itself), held writes. */
@Configuration(proxyBeanMethods = false)
class MonitoringConfiguration {

    @Bean
    RouteInflightGauges routeInflightGauges(MeterRegistry registry) {
        return new RouteInflightGauges(registry);
    }

    /** Requests' upserts and journal rows held and sent together (store/UpsertBatch): stored, or retried event by event. */
    @Bean
    MeterBinder batchedUpsertsMetrics(DataSource dataSource) {
        return registry -> {
            if (dataSource instanceof UpsertBatchingDataSource batches) {
                counter(registry, "amocrm.webhook.upsert.batches", "Sendings of requests' held upserts, by result",
                        batches, UpsertBatchingDataSource::batchesStored, UpsertBatchingDataSource::batchesRetried);
                counter(registry, "amocrm.webhook.batched.upserts", "Upserts held and sent together, by result",
                        batches, UpsertBatchingDataSource::upsertsStored, UpsertBatchingDataSource::upsertsRetried);
                counter(registry, "amocrm.webhook.held.writes",
                        "Writes (upserts and journal rows) held and sent together, by result",
                        batches, UpsertBatchingDataSource::writesStored, UpsertBatchingDataSource::writesRetried);
            }
        };
    }

    private static void counter(MeterRegistry registry, String name, String description,
            UpsertBatchingDataSource batches, ToDoubleFunction<UpsertBatchingDataSource> stored,
            ToDoubleFunction<UpsertBatchingDataSource> retried) {
        FunctionCounter.builder(name, batches, stored).description(description).tag("result", "stored")
                .register(registry);
        FunctionCounter.builder(name, batches, retried).description(description).tag("result", "retried")
                .register(registry);
    }
}
