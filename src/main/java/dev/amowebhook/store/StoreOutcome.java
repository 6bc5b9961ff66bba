package dev.amowebhook.store;

import org.apache.camel.Header;

/** The outcome of a store step: a write that changed no row met a newer row (newer wins), so it is stale. */
public class StoreOutcome {

    public String fromUpdateCount(@Header("CamelSqlUpdateCount") Integer updateCount) {
        return updateCount != null && updateCount > 0 ? "stored" : "stale";
    }
}
