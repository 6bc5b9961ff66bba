package dev.amowebhook.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Where transactions begin and end in the flow, so the YAML routes stay declarative.
 * <ul>
 *   <li>A request: all its events, dead letters and journal rows commit together, once, before the answer (one
 *       durable commit per request instead of one per statement). If the commit fails nothing is acknowledged.</li>
 *   <li>An event: a savepoint inside the request. If storing it fails, only its writes are undone; the dead-letter
 *       channel then keeps it (in the request's transaction) and its siblings go on.</li>
 * </ul>
 * Savepoints cost two round trips per event and events almost never fail, so a request is first stored without
 * them (fast mode); if any of its events fails, the whole attempt is rolled back and the request is stored again
 * with a savepoint per event, where the failed event is dead-lettered alone. In the fast attempt the upserts are
 * also held and sent together: a bulk request's as one batch after its last event, a single event's with the journal
 * rows at the commit ({@link HeldUpserts}, {@link UpsertBatch}); a stale or failed one there fails the attempt the
 * same way. Routes run on the calling thread, so camel-sql joins the transaction
 * bound to it.
 * <p>In a savepoint an event that meets a transient database error is tried again ({@link TransientRetries}), here
 * rather than by Camel's redelivery: to be able to redeliver, Camel's error handler copies the whole exchange
 * before every step of the route, for every event, although only this step meets such errors.
 */
public class TransactionBoundaries {

    /** Set while a request is stored without savepoints: an event failure then asks for the careful attempt. */
    public static final String FAST_MODE = "amoFastMode";
    /** How often an event was tried again after a transient error: a dead letter counts its attempts with it. */
    public static final String RETRIES = "amoRetries";
    private static final Logger log = LoggerFactory.getLogger(TransactionBoundaries.class);

    private final ProducerTemplate producer;
    private final TransactionTemplate request;
    private final TransactionTemplate event;
    private final TransientRetries retries;
    /** Resolved once: sending by URI looks the endpoint up (and normalises the URI) on every event. */
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public TransactionBoundaries(PlatformTransactionManager transactions, ProducerTemplate producer,
            TransientRetries retries) {
        this.producer = producer;
        this.retries = retries;
        this.request = new TransactionTemplate(transactions);
        this.event = new TransactionTemplate(transactions);
        this.event.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** Runs {@code direct:store-request} in one transaction: first without savepoints, again with them if needed. */
    public void storeRequest(Exchange exchange) throws Exception {
        Object body = exchange.getMessage().getBody();
        exchange.setProperty(FAST_MODE, true);
        try {
            run(request, endpoint("direct:store-request"), exchange, true);
            return;
        } catch (SavepointsNeededException e) {
            log.debug("an event failed in fast mode ({}), storing the request again with a savepoint per event",
                    e.getMessage());
        } finally {
            exchange.removeProperty(FAST_MODE);
        }
        exchange.getMessage().setBody(body);
        run(request, endpoint("direct:store-request"), exchange, false);
    }

    /**
     * Runs {@code direct:apply-event}: plainly in fast mode (a failure there stores the request again with
     * savepoints), else within a savepoint (or its own transaction), tried again as it came after a transient error.
     */
    public void applyEvent(Exchange exchange) throws Exception {
        if (Boolean.TRUE.equals(exchange.getProperty(FAST_MODE))) {
            producer.send(endpoint("direct:apply-event"), exchange);
            return;
        }
        Message sent = exchange.getIn().copy();
        for (int retry = 1; ; retry++) {
            try {
                run(event, endpoint("direct:apply-event"), exchange, false);
                return;
            } catch (Exception e) {
                if (retry > retries.retries() || !retries.isTransient(e)) {
                    throw e;
                }
                long delay = retries.delayBefore(retry);
                log.warn("transient database error storing {} {} id={}, retry {} of {} in {} ms: {}",
                        sent.getHeader("amoEntity"), sent.getHeader("amoAction"), sent.getHeader("amoEntityId"),
                        retry, retries.retries(), delay, e.toString());
                exchange.setProperty(RETRIES, retry);
                pause(delay);
                exchange.getIn().copyFrom(sent);
            }
        }
    }

    /**
     * First step of the dead-letter route: in fast mode the failed event's writes cannot be undone alone, so instead
     * of a dead letter the request fails over to the attempt with savepoints.
     */
    public void requireSavepoints(Exchange exchange) {
        if (Boolean.TRUE.equals(exchange.getProperty(FAST_MODE))) {
            Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            throw new SavepointsNeededException(cause == null ? new IllegalStateException("event failed") : cause);
        }
    }

    /**
     * Waits before a retry. Interrupted (the server is being stopped), the interrupt is kept and the exception goes
     * up: the route's {@code on-interrupted} lets the request fail so amoCRM sends it again, instead of a dead letter.
     */
    private static void pause(long millis) throws InterruptedException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private Endpoint endpoint(String uri) {
        return endpoints.computeIfAbsent(uri, producer.getCamelContext()::getEndpoint);
    }

    /**
     * Sends the exchange to {@code endpoint} inside the transaction; a failure of the route rolls it back and is
     * thrown, a failure of the commit or rollback itself (the database went away) is thrown as it is. The exchange
     * is left without an exception either way: the caller's error handling answers.
     */
    private void run(TransactionTemplate transaction, Endpoint endpoint, Exchange exchange, boolean fast)
            throws Exception {
        Exception[] failure = new Exception[1];
        try {
            transaction.executeWithoutResult(status -> {
                producer.send(endpoint, exchange);
                if (exchange.getException() != null) {
                    failure[0] = exchange.getException();
                    exchange.setException(null);
                    status.setRollbackOnly();
                }
            });
        } catch (RuntimeException e) {
            exchange.setException(null);
            // a commit refused because an upsert batch failed (UpsertBatch) still gets the event-by-event attempt
            SavepointsNeededException needed = savepointsNeeded(e, fast);
            throw needed != null ? needed : e;
        }
        if (failure[0] != null) {
            SavepointsNeededException needed = savepointsNeeded(failure[0], fast);
            throw needed != null ? needed : failure[0];
        }
    }

    /** The failure of a fast attempt may arrive wrapped (by the splitter, or as a failed upsert batch): find it. */
    private static SavepointsNeededException savepointsNeeded(Throwable failure, boolean fast) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SavepointsNeededException needed) {
                return needed;
            }
            if (fast && t instanceof UpsertBatch.SendFailedException batch) {
                // surfaced where it was not turned into the careful attempt (an extension route's own handling)
                return new SavepointsNeededException(batch);
            }
        }
        return null;
    }
}
