package dev.amowebhook.http;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * More webhooks than the workers and their queue can hold, or one that waited too long for a worker: answered 503
 * (amoCRM retries later) rather than queued without bound until the heap runs out.
 */
@RestControllerAdvice
class OverloadAnswer {

    private static final Logger log = LoggerFactory.getLogger(OverloadAnswer.class);
    /** One warning per interval: overload refuses many requests at once, and the metric counts each of them. */
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final WebhookMetrics metrics;
    private final AtomicLong refusedSinceWarning = new AtomicLong();
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

    OverloadAnswer(WebhookMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(TaskRejectedException.class)
    ResponseEntity<Map<String, Object>> overloaded(TaskRejectedException e, HttpServletRequest request) {
        warnNowAndThen(e);
        // with the request's arrival, so a refusal after waiting counts in the latency and slow-answer metrics
        metrics.request((InboundRequest) request.getAttribute(InboundRequest.ATTRIBUTE), "overloaded", "overloaded");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_JSON)
                .header("Retry-After", "5")
                .body(Map.of("status", 503, "code", "overloaded", "error", "server overloaded, retry later"));
    }

    private void warnNowAndThen(TaskRejectedException e) {
        long refused = refusedSinceWarning.incrementAndGet();
        long last = lastWarning.get();
        long now = System.nanoTime();
        if (now - last >= WARN_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
            refusedSinceWarning.addAndGet(-refused);
            log.warn("webhooks refused, server overloaded: {} since the last warning; this one: {}", refused,
                    e.getMessage());
        }
    }
}
