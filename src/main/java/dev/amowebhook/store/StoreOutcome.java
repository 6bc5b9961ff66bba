package dev.amowebhook.store;

import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.support.ExpressionAdapter;

/**
 * The outcome of a store step: a write that changed no row met a newer row (newer wins), so it is stale.
 * An expression, so a store route sets it with {@code ref: storeOutcome} on the exchange itself (the {@code method}
 * language would copy the whole exchange to call {@link #fromUpdateCount}, once per event).
 */
public class StoreOutcome extends ExpressionAdapter {

    public String fromUpdateCount(@Header("CamelSqlUpdateCount") Integer updateCount) {
        return updateCount != null && updateCount > 0 ? "stored" : "stale";
    }

    @Override
    public Object evaluate(Exchange exchange) {
        return fromUpdateCount(exchange.getIn().getHeader("CamelSqlUpdateCount", Integer.class));
    }
}
