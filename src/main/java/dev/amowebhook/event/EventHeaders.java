package dev.amowebhook.event;

import dev.amowebhook.http.Flow;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Processor;

/**
 * Exposes an event's entity, action and id as headers ({@code amoEntity}, {@code amoAction}, {@code amoEntityId},
 * {@code amoTopic}, {@code amoVersion}) so the content-based router and any YAML a user adds can route on them with simple.
 */
public class EventHeaders implements Processor {

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        AmoEvent event = exchange.getIn().getMandatoryBody(AmoEvent.class);
        exchange.setProperty(Flow.EVENT, event);
        exchange.getIn().setHeader("amoTopic", event.topic());
        exchange.getIn().setHeader("amoEntity", event.entity());
        exchange.getIn().setHeader("amoAction", event.action());
        exchange.getIn().setHeader("amoEntityId", event.entityId());
        exchange.getIn().setHeader("amoVersion", event.version());
    }
}
