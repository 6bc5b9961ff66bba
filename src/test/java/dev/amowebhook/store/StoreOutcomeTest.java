package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class StoreOutcomeTest {

    private final StoreOutcome outcome = new StoreOutcome();

    @Test
    void aWriteThatChangedARowStoredTheEventAndOneThatChangedNoneMetANewerRow() {
        assertThat(outcome.evaluate(afterWrite(1), String.class)).isEqualTo("stored");
        assertThat(outcome.evaluate(afterWrite(0), String.class)).isEqualTo("stale");
    }

    @Test
    void noUpdateCountMeansNothingWasWritten() {
        assertThat(outcome.evaluate(afterWrite(null), String.class)).isEqualTo("stale");
    }

    @Test
    void theMethodFormGivesTheSameAnswerForRoutesThatStillCallIt() {
        assertThat(outcome.fromUpdateCount(1)).isEqualTo("stored");
        assertThat(outcome.fromUpdateCount(0)).isEqualTo("stale");
    }

    private static Exchange afterWrite(Integer updateCount) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getIn().setHeader("CamelSqlUpdateCount", updateCount);
        return exchange;
    }
}
