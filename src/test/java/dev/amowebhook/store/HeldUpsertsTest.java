package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.event.EventTally;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The split-events steps around a request's events, in a real transaction on the server's DataSource: what stays
 * held after the events, and until when.
 */
@WebhookServerTest
class HeldUpsertsTest {

    private static final String UPSERT = "INSERT INTO held_upserts_test AS t (id, v) SELECT ?, ? ON CONFLICT (id)"
            + " DO UPDATE SET v = EXCLUDED.v WHERE t.v < EXCLUDED.v";
    private static final String JOURNAL = "INSERT INTO webhook_requests (id, received_at, body_bytes, outcome,"
            + " http_status) VALUES (CAST(? AS uuid), now(), 10, 'accepted', 200) ON CONFLICT (id) DO NOTHING";

    @Autowired
    DataSource dataSource;

    @Autowired
    PlatformTransactionManager transactions;

    @Autowired
    HeldUpserts upserts;

    @Autowired
    CamelContext camel;

    JdbcTemplate jdbc;
    final List<String> journaled = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute("DROP TABLE IF EXISTS held_upserts_test");
        jdbc.execute("CREATE TABLE held_upserts_test (id bigint PRIMARY KEY, v int NOT NULL)");
    }

    @AfterEach
    void tearDown() {
        jdbc.execute("DROP TABLE held_upserts_test");
        journaled.forEach(id -> jdbc.update("DELETE FROM webhook_requests WHERE id = CAST(? AS uuid)", id));
    }

    @Test
    void aSingleEventsUpsertStaysHeldWithTheJournalRowUntilTheCommit() {
        String request = request();
        int[] held = new int[2];
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            Exchange exchange = fastAttempt(List.of("one event"));
            run(() -> upserts.open(exchange));
            jdbc.update(UPSERT, 1, 10);
            run(() -> upserts.send(afterTheSplit(exchange)));
            held[0] = batch().held();
            jdbc.update(JOURNAL, request);
            held[1] = batch().held();
        });

        assertThat(held).as("the upsert after the events, then the journal row too").containsExactly(1, 2);
        assertThat(jdbc.queryForList("SELECT v FROM held_upserts_test", Integer.class)).containsExactly(10);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_requests WHERE id = CAST(? AS uuid)", Integer.class,
                request)).isEqualTo(1);
    }

    @Test
    void aBulkRequestsUpsertsAreSentAfterTheEventsAndItsJournalRowsRunAtOnce() {
        String request = request();
        int[] held = new int[3];
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            Exchange exchange = fastAttempt(List.of("one event", "another"));
            run(() -> upserts.open(exchange));
            jdbc.update(UPSERT, 1, 10);
            jdbc.update(UPSERT, 2, 10);
            held[0] = batch().held();
            run(() -> upserts.send(afterTheSplit(exchange)));
            held[1] = batch().held();
            jdbc.update(JOURNAL, request);
            held[2] = batch().held();
        });

        assertThat(held).as("two held, sent as one batch; the journal row not held").containsExactly(2, 0, 0);
        assertThat(jdbc.queryForList("SELECT v FROM held_upserts_test ORDER BY id", Integer.class))
                .containsExactly(10, 10);
    }

    @Test
    void aBulkRequestWhoseLastRunHeldOneUpsertSendsItAfterTheEventsToo() {
        int[] held = new int[3];
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            Exchange exchange = fastAttempt(List.of("a lead", "a contact"));
            run(() -> upserts.open(exchange));
            jdbc.update(UPSERT, 1, 10);
            jdbc.update("INSERT INTO held_upserts_test AS t (id, v) SELECT ?, ? ON CONFLICT (id) DO UPDATE SET v = 0", 2, 10);
            held[0] = batch().held();
            run(() -> upserts.send(afterTheSplit(exchange)));
            held[1] = batch().held();
            jdbc.update(JOURNAL, request());
            held[2] = batch().held();
        });

        assertThat(held).as("one upsert left in the last run, but two events: sent, journal row not held")
                .containsExactly(1, 0, 0);
    }

    @Test
    void aSecondAttemptHoldsNothingEvenWhereAFirstOneOpenedTheBatch() {
        int[] held = new int[1];
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            Exchange exchange = fastAttempt(List.of("one event"));
            run(() -> upserts.open(exchange));
            exchange.removeProperty(TransactionBoundaries.FAST_MODE);
            run(() -> upserts.send(afterTheSplit(exchange)));
            jdbc.update(JOURNAL, request());
            held[0] = batch().held();
        });

        assertThat(held).containsExactly(0);
    }

    @Test
    void theAttemptEventByEventHoldsNothing() {
        int[] held = new int[2];
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            Exchange exchange = new DefaultExchange(camel);
            exchange.getMessage().setBody(List.of("one event"));
            run(() -> upserts.open(exchange));
            jdbc.update(UPSERT, 1, 10);
            held[0] = batch().held();
            run(() -> upserts.send(afterTheSplit(exchange)));
            jdbc.update(JOURNAL, request());
            held[1] = batch().held();
        });

        assertThat(held).containsExactly(0, 0);
    }

    private String request() {
        String id = java.util.UUID.randomUUID().toString();
        journaled.add(id);
        return id;
    }

    private Exchange fastAttempt(List<String> events) {
        Exchange exchange = new DefaultExchange(camel);
        exchange.setProperty(TransactionBoundaries.FAST_MODE, true);
        exchange.getMessage().setBody(events);
        return exchange;
    }

    /** As split-events leaves it for send-upsert-batch: the tally of its events as the body. */
    private static Exchange afterTheSplit(Exchange exchange) {
        EventTally tally = new EventTally();
        for (Object event : exchange.getMessage().getBody(List.class)) {
            tally.add("stored");
        }
        exchange.getMessage().setBody(tally);
        return exchange;
    }

    private UpsertBatch batch() {
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return UpsertBatch.of(connection);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    private static void run(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Step {
        void run() throws Exception;
    }
}
