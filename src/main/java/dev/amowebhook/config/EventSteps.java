package dev.amowebhook.config;

import dev.amowebhook.event.RequestAbort;
import dev.amowebhook.http.WebhookMetrics;
import dev.amowebhook.store.TransactionBoundaries;
import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The steps every event passes through, as processors the routes name with {@code process: {ref: ...}}. A
 * {@code bean} step binds its method's parameters by reflection on every call; these call the bean whose job the
 * step is directly (the four bean steps of an event were 6 % of the server's samples in the batch scenario). The
 * store routes' mappers are processors themselves ({@link dev.amowebhook.store.EventRowMapper}).
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
}
