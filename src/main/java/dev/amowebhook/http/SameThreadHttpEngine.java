package dev.amowebhook.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskRejectedException;

/**
 * platform-http on Spring Boot, each request processed on the container thread that received it.
 * <p>Why: Camel's Spring Boot engine hands every request to a task executor and answers through a servlet async
 * dispatch, which moves each request across three threads and runs the filter chain (security, observation) a
 * second time: a sixth of the CPU a single-event webhook costs. The executor's one useful job, bounding the
 * work in progress, is {@link WebhookWorkers}'s.
 */
public class SameThreadHttpEngine implements PlatformHttpEngine {

    private final int port;
    private final WebhookWorkers workers;

    public SameThreadHttpEngine(int port, WebhookWorkers workers) {
        this.port = port;
        this.workers = workers;
    }

    /**
     * Endpoints that take webhooks (POST, or any method) are bounded by the workers; GET-only ones (health, test,
     * the disconnect hook) are not, so a probe is not queued behind, or refused with, the webhooks of an
     * overloaded instance.
     */
    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        String methods = endpoint.getHttpMethodRestrict();
        boolean getOnly = methods != null && Arrays.stream(methods.split(",")).map(String::trim)
                .allMatch(method -> method.equalsIgnoreCase("GET") || method.equalsIgnoreCase("HEAD"));
        return new Consumer(endpoint, processor, getOnly ? null : workers);
    }

    @Override
    public int getServerPort() {
        return port;
    }

    static final class Consumer extends SpringBootPlatformHttpConsumer {

        private static final Logger log = LoggerFactory.getLogger(SameThreadHttpEngine.class);

        /** null: not bounded. */
        private final WebhookWorkers workers;

        Consumer(PlatformHttpEndpoint endpoint, Processor processor, WebhookWorkers workers) {
            super(endpoint, processor, Runnable::run);
            this.workers = workers;
        }

        /**
         * Answers before returning and returns no future. The response parameter has already marked the request
         * handled for Spring MVC, and with a null result it starts no async processing and renders nothing. A
         * request refused by {@link WebhookWorkers} goes on to {@link OverloadAnswer}; anything else is answered
         * 500, as the starter's consumer does.
         */
        @Override
        public CompletableFuture<Void> service(HttpServletRequest request, HttpServletResponse response) {
            try {
                if (workers == null) {
                    handleService(request, response);
                } else {
                    workers.run(() -> handleService(request, response));
                }
            } catch (TaskRejectedException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                log.warn("Error handling request due to: {}", e.getMessage(), e);
                try {
                    if (!response.isCommitted()) {
                        response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR);
                    }
                } catch (Exception ignored) {
                    // the client is gone
                }
            }
            return null;
        }
    }
}
