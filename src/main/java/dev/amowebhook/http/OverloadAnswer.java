package dev.amowebhook.http;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * More webhooks than the workers and their queue can hold: answered 503 at once (amoCRM retries later) rather than
 * queued without bound until the heap runs out.
 */
@RestControllerAdvice
class OverloadAnswer {

    private static final Logger log = LoggerFactory.getLogger(OverloadAnswer.class);

    private final WebhookMetrics metrics;

    OverloadAnswer(WebhookMetrics metrics) {
        this.metrics = metrics;
    }

    @ExceptionHandler(TaskRejectedException.class)
    ResponseEntity<Map<String, Object>> overloaded(TaskRejectedException e) {
        log.warn("webhook refused, server overloaded: {}", e.getMessage());
        metrics.request(null, "overloaded", "overloaded");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_JSON)
                .header("Retry-After", "5")
                .body(Map.of("status", 503, "code", "overloaded", "error", "server overloaded, retry later"));
    }
}
