package dev.amowebhook.event;

import dev.amowebhook.http.Flow;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * The splitter's aggregation: counts each event's outcome into one {@link EventTally}.
 * <p>The tally travels in a fresh exchange, not in the first event's: an event the dead-letter channel handled
 * carries a "handled" mark that, copied back to the request, would stop its route before the answer. An event
 * that failed without being dead-lettered (the database is gone) fails the request, so it is never answered 2xx.
 */
public class EventOutcomeTally implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange total, Exchange event) {
        Exchange result = total;
        if (result == null) {
            result = new DefaultExchange(event.getContext(), event.getPattern());
            result.getIn().setBody(new EventTally());
        }
        if (event.getException() != null) {
            result.setException(event.getException());
            return result;
        }
        result.getIn().getBody(EventTally.class).add(event.getProperty(Flow.OUTCOME, String.class));
        return result;
    }
}
