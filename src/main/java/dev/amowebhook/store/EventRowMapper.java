package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * Maps an event of one entity to the parameters of its SQL files. As a step of its store route
 * ({@code process: {ref: leadRowMapper}}) the row becomes the message body: called directly, not through a
 * {@code bean} step, which binds the method's parameters by reflection for every event.
 */
public interface EventRowMapper extends Processor {

    Map<String, Object> toRow(AmoEvent event, InboundRequest request);

    @Override
    default void process(Exchange exchange) {
        exchange.getIn().setBody(toRow(exchange.getProperty(Flow.EVENT, AmoEvent.class),
                exchange.getProperty(Flow.REQUEST, InboundRequest.class)));
    }
}
