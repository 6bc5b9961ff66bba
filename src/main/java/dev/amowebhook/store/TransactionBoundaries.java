package dev.amowebhook.store;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
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
 * The routes run on the calling thread, so camel-sql joins the transaction bound to it.
 */
public class TransactionBoundaries {

    private final ProducerTemplate producer;
    private final TransactionTemplate request;
    private final TransactionTemplate event;

    public TransactionBoundaries(PlatformTransactionManager transactions, ProducerTemplate producer) {
        this.producer = producer;
        this.request = new TransactionTemplate(transactions);
        this.event = new TransactionTemplate(transactions);
        this.event.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    }

    /** Runs {@code direct:store-request} in one transaction. */
    public void storeRequest(Exchange exchange) throws Exception {
        run(request, "direct:store-request", exchange);
    }

    /** Runs {@code direct:apply-event} within a savepoint (or its own transaction outside a request). */
    public void applyEvent(Exchange exchange) throws Exception {
        run(event, "direct:apply-event", exchange);
    }

    private void run(TransactionTemplate transaction, String uri, Exchange exchange) throws Exception {
        try {
            transaction.executeWithoutResult(status -> {
                producer.send(uri, exchange);
                if (exchange.getException() != null) {
                    throw new Rollback(exchange.getException());
                }
            });
        } catch (Rollback rollback) {
            exchange.setException(null);
            throw rollback.cause;
        }
    }

    /** Carries a route's failure out of the transaction, which rolls back on it. */
    private static final class Rollback extends RuntimeException {
        final Exception cause;

        Rollback(Exception cause) {
            super(cause.getMessage(), cause, false, false);
            this.cause = cause;
        }
    }
}
