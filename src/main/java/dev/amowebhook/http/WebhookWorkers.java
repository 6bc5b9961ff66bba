package dev.amowebhook.http;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.task.TaskRejectedException;

/**
 * At most {@code workers} webhooks are processed at once and at most {@code queue} more wait for their turn, in
 * arrival order; a request beyond that is refused at once with {@link TaskRejectedException} (answered 503
 * {@code overloaded}), so overload never becomes an ever-growing backlog. The same bound a thread pool with a
 * bounded queue gives, without handing each request to another thread and back.
 */
public class WebhookWorkers {

    /** Work that runs while holding a worker. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    private final Semaphore workers;
    private final int capacity;
    private final AtomicInteger admitted = new AtomicInteger();

    public WebhookWorkers(int workers, int queue) {
        if (workers < 1 || queue < 0) {
            throw new IllegalArgumentException("workers must be at least 1 and queue at least 0");
        }
        this.workers = new Semaphore(workers, true);
        this.capacity = workers + queue;
    }

    public void run(Work work) throws Exception {
        if (admitted.incrementAndGet() > capacity) {
            admitted.decrementAndGet();
            throw new TaskRejectedException("every webhook worker is busy and the queue is full");
        }
        try {
            workers.acquire();
            try {
                work.run();
            } finally {
                workers.release();
            }
        } finally {
            admitted.decrementAndGet();
        }
    }

    /** Requests being processed or waiting. */
    public int admitted() {
        return admitted.get();
    }
}
