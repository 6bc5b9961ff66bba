package dev.amowebhook.event;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;

/**
 * Fails the rest of a request fast once the database is unreachable. The splitter keeps going after a failed
 * event (it must, so a dead-lettered event does not stop its siblings); without this every remaining event would
 * wait out its own connection timeout, and amoCRM gives up after ~2 s. The holder is shared by all of a request's
 * events because split copies exchange properties by reference.
 */
public class RequestAbort {

    public static final String PROPERTY = "amoAbort";

    /** Called by the receive route: one holder per request. */
    public void open(Exchange exchange) {
        exchange.setProperty(PROPERTY, new AtomicReference<Exception>());
    }

    /** Called when an event could not reach the database at all. */
    public void record(Exchange exchange) {
        Exception cause = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        holder(exchange).compareAndSet(null, cause);
    }

    /** Called first for every event: after an unreachable database, the remaining events fail at once. */
    public void check(Exchange exchange) throws Exception {
        Exception cause = holder(exchange).get();
        if (cause != null) {
            throw cause;
        }
    }

    @SuppressWarnings("unchecked")
    private static AtomicReference<Exception> holder(Exchange exchange) {
        AtomicReference<Exception> holder = exchange.getProperty(PROPERTY, AtomicReference.class);
        return holder != null ? holder : new AtomicReference<>();
    }
}
