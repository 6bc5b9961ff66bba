package dev.amowebhook.config;

import dev.amowebhook.event.AmoWebhook;
import dev.amowebhook.event.ExtensionPoints;
import dev.amowebhook.journal.EventJournal;
import dev.amowebhook.store.LeadRowMapper;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.support.ExpressionAdapter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The conditions and values the routes evaluate once per request or event, by name with the {@code ref} language
 * ({@code expression: {ref: {expression: afterHookConsumed}}}). The {@code method} language would copy the whole
 * exchange, headers and properties, for every evaluation and copy its properties back afterwards; these run on the
 * exchange itself. Each delegates to the bean whose job the condition is.
 */
@Configuration(proxyBeanMethods = false)
class RouteConditions {

    /**
     * parse-webhook: the amoCRM account the webhook is for. Not {@code ${body.account}}: simple's OGNL looks the body
     * up in a cache keyed by the object itself, which hashes the whole parsed tree.
     */
    @Bean
    Expression webhookAccount() {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return exchange.getIn().getBody(AmoWebhook.class).account();
            }
        };
    }

    /** accept-request: whether the request collected journal rows to write in one batch. */
    @Bean
    Predicate journalRowsCollected(EventJournal journal) {
        return journal::hasRows;
    }

    /** route-event: whether another request already stored this event (null when the request did not look). */
    @Bean
    Expression appliedByAnotherRequest(EventJournal journal) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return journal.alreadyApplied(exchange);
            }
        };
    }

    /** route-event: whether a route consumes {@code direct:before-store}. */
    @Bean
    Predicate beforeStoreHookConsumed(ExtensionPoints extensions) {
        return exchange -> extensions.hasBeforeStore();
    }

    /** route-event: whether the stored event's {@code direct:after-<entities>-<action>} is consumed. */
    @Bean
    Predicate afterHookConsumed(ExtensionPoints extensions) {
        return extensions::hasAfterHook;
    }

    /** journal-event: whether the event's journal row is written now (a replay) or joins its request's batch. */
    @Bean
    Predicate journalRowWrittenAlone(EventJournal journal) {
        return journal::writtenAlone;
    }

    /** store-lead: whether the lead's row records a stage change. */
    @Bean
    Predicate leadStageChanged(LeadRowMapper leads) {
        return exchange -> exchange.getIn().getBody() instanceof Map<?, ?> row && leads.stageChanged(row);
    }
}
