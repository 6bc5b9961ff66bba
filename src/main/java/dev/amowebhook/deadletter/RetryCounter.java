package dev.amowebhook.deadletter;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Counts the redeliveries of an event (Camel clears its own counter before the dead-letter channel runs), so a
 * dead letter can say how many attempts were made.
 */
public class RetryCounter implements Processor {

    public static final String RETRIES = "amoRetries";

    @Override
    public void process(Exchange exchange) {
        exchange.setProperty(RETRIES, exchange.getProperty(RETRIES, 0, Integer.class) + 1);
    }
}
