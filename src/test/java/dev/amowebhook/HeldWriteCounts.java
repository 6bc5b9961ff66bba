package dev.amowebhook;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The counters of held writes (store/UpsertBatch) by {@code result}, {@code stored} or {@code retried}, as a test
 * reads them before and after a request: sendings of held upserts, their upserts, all their writes.
 */
public record HeldWriteCounts(MeterRegistry meters) {

    public double batches(String result) {
        return count("amocrm.webhook.upsert.batches", result);
    }

    public double upserts(String result) {
        return count("amocrm.webhook.batched.upserts", result);
    }

    public double writes(String result) {
        return count("amocrm.webhook.held.writes", result);
    }

    private double count(String name, String result) {
        FunctionCounter counter = meters.find(name).tags("result", result).functionCounter();
        return counter == null ? 0 : counter.count();
    }
}
