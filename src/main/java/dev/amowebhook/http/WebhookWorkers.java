package dev.amowebhook.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.task.TaskRejectedException;

/**
 * At most {@code workers} webhooks are processed at once and at most {@code queue} more wait for their turn, in
 * arrival order, each for at most {@code maxWait}; a request beyond that is refused with
 * {@link TaskRejectedException} (answered 503 {@code overloaded}, amoCRM retries later), so overload never becomes
 * an ever-growing backlog. The bound a thread pool with a bounded queue gives, without handing each request to
 * another thread and back. As a {@link MeterBinder} it shows both numbers as gauges:
 * {@code amocrm_webhook_workers_busy} and {@code amocrm_webhook_queued}.
 */
public class WebhookWorkers implements MeterBinder {

    /** Each waiting webhook holds a container thread, so the queue cannot be made arbitrarily long. */
    static final int MAX_WORKERS = 256;
    static final int MAX_QUEUE = 2000;

    /** Work that runs while holding a worker. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final Semaphore free;
    private final int workers;
    private final int capacity;
    private final long maxWaitNanos;
    private final AtomicInteger admitted = new AtomicInteger();

    public WebhookWorkers(int workers, int queue, Duration maxWait) {
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("WEBHOOK_WORKERS must be 1 to " + MAX_WORKERS + ", got " + workers);
        }
        if (queue < 0 || queue > MAX_QUEUE) {
            throw new IllegalArgumentException("WEBHOOK_QUEUE must be 0 to " + MAX_QUEUE + ", got " + queue);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("WEBHOOK_QUEUE_WAIT must not be negative, got " + maxWait);
        }
        this.free = new Semaphore(workers, true);
        this.workers = workers;
        this.capacity = workers + queue;
        this.maxWaitNanos = maxWait.toNanos();
    }

    public void run(Work work) throws Exception {
        int now;
        do {
            now = admitted.get();
            if (now >= capacity) {
                throw new TaskRejectedException("every webhook worker is busy and the queue is full");
            }
        } while (!admitted.compareAndSet(now, now + 1));
        try {
            if (!free.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS)) {
                throw new TaskRejectedException("no webhook worker became free in time");
            }
            try {
                work.run();
            } finally {
                free.release();
            }
        } finally {
            admitted.decrementAndGet();
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("amocrm_webhook_workers_busy", this, WebhookWorkers::busy)
                .description("Webhooks being processed").register(registry);
        Gauge.builder("amocrm_webhook_queued", this, WebhookWorkers::waiting)
                .description("Webhooks waiting for a worker").register(registry);
    }

    /** Webhooks being processed or waiting. */
    public int admitted() {
        return admitted.get();
    }

    /** Webhooks being processed. */
    public int busy() {
        return workers - free.availablePermits();
    }

    /** Webhooks waiting for a worker. */
    public int waiting() {
        return Math.max(0, admitted.get() - busy());
    }
}
