package dev.amowebhook.config;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.RequestAbort;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.http.WebhookMetrics;
import dev.amowebhook.store.ContactRowMapper;
import dev.amowebhook.store.CustomerRowMapper;
import dev.amowebhook.store.LeadRowMapper;
import dev.amowebhook.store.MessageRowMapper;
import dev.amowebhook.store.NoteRowMapper;
import dev.amowebhook.store.TalkRowMapper;
import dev.amowebhook.store.TaskRowMapper;
import dev.amowebhook.store.TransactionBoundaries;
import dev.amowebhook.store.UnsortedRowMapper;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The steps every event passes through, as processors the routes name with {@code process: {ref: ...}}. A
 * {@code bean} step binds its method's parameters by reflection on every call; these call the bean whose job the
 * step is directly (the four bean steps of an event were 6 % of the server's samples in the batch scenario).
 */
@Configuration(proxyBeanMethods = false)
class EventSteps {

    /** route-event: after an unreachable database the request's remaining events fail at once. */
    @Bean
    Processor checkRequestAborted(RequestAbort abort) {
        return abort::check;
    }

    /** route-event: stores and journals the event within its savepoint (apply-event). */
    @Bean
    Processor applyInSavepoint(TransactionBoundaries boundaries) {
        return boundaries::applyEvent;
    }

    /** journal-event: the amocrm_webhook_events counter. */
    @Bean
    Processor countEvent(WebhookMetrics metrics) {
        return metrics::event;
    }

    /** store-lead: the event's row, as the parameters of the lead SQL files. */
    @Bean
    Processor mapLead(LeadRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    /** store-contact and store-company. */
    @Bean
    Processor mapContact(ContactRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    @Bean
    Processor mapTask(TaskRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    @Bean
    Processor mapNote(NoteRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    @Bean
    Processor mapUnsorted(UnsortedRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    @Bean
    Processor mapMessage(MessageRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    @Bean
    Processor mapTalk(TalkRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    @Bean
    Processor mapCustomer(CustomerRowMapper mapper) {
        return toRow(mapper::toRow);
    }

    /** The body becomes the row the mapper makes of the event and its request. */
    private static Processor toRow(BiFunction<AmoEvent, InboundRequest, Map<String, Object>> mapper) {
        return exchange -> exchange.getIn().setBody(mapper.apply(exchange.getProperty(Flow.EVENT, AmoEvent.class),
                exchange.getProperty(Flow.REQUEST, InboundRequest.class)));
    }
}
