package dev.amowebhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

class WebhookMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final WebhookMetrics metrics = new WebhookMetrics(registry);
    private final DefaultCamelContext camel = new DefaultCamelContext();

    @Test
    void eventsAreCountedByEntityActionAndOutcomeWithUnknownValuesAsOther() {
        metrics.event(event("lead", "update", "stored"));
        metrics.event(event("lead", "update", "stored"));
        metrics.event(event("lead", "update", "stale"));
        metrics.event(event("catalogs", "mail_in", "ignored"));

        assertThat(count("lead", "update", "stored")).isEqualTo(2);
        assertThat(count("lead", "update", "stale")).isEqualTo(1);
        assertThat(count("other", "other", "ignored")).isEqualTo(1);
        assertThat(registry.find("amocrm_webhook_events").counters()).hasSize(3);
    }

    @Test
    void eventsInATransactionCountWhenItCommitsAndNotWhenItRollsBack() {
        TransactionTemplate transaction = new TransactionTemplate(new NoResourceTransactions());

        transaction.executeWithoutResult(status -> {
            metrics.event(event("lead", "update", "stored"));
            metrics.event(event("lead", "update", "stored"));
            assertThat(count("lead", "update", "stored")).as("not before the commit").isZero();
        });
        assertThat(count("lead", "update", "stored")).isEqualTo(2);

        transaction.executeWithoutResult(status -> {
            metrics.event(event("lead", "update", "stored"));
            status.setRollbackOnly();
        });
        assertThat(count("lead", "update", "stored")).as("a rolled back attempt is not counted").isEqualTo(2);

        transaction.executeWithoutResult(status -> metrics.event(event("lead", "update", "stored")));
        assertThat(count("lead", "update", "stored")).as("the next transaction starts afresh").isEqualTo(3);
    }

    /** Transaction boundaries without a resource: only the synchronization callbacks matter here. */
    private static final class NoResourceTransactions extends AbstractPlatformTransactionManager {

        @Override
        protected Object doGetTransaction() {
            return new Object();
        }

        @Override
        protected void doBegin(Object transaction, TransactionDefinition definition) {
        }

        @Override
        protected void doCommit(DefaultTransactionStatus status) {
        }

        @Override
        protected void doRollback(DefaultTransactionStatus status) {
        }
    }

    private double count(String entity, String action, String outcome) {
        return registry.get("amocrm_webhook_events")
                .tags("entity", entity, "action", action, "outcome", outcome).counter().count();
    }

    private Exchange event(String entity, String action, String outcome) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.getIn().setHeader("amoEntity", entity);
        exchange.getIn().setHeader("amoAction", action);
        exchange.setProperty(Flow.OUTCOME, outcome);
        return exchange;
    }
}
