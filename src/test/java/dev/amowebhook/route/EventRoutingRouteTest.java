package dev.amowebhook.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.event.Account;
import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.RequestAbort;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The per-event routes on their own: the content-based router sends each entity to its store route, and a store
 * failure goes through the dead-letter channel. Routes are advised (woven by id), so the context is thrown away
 * after each test.
 */
@WebhookServerTest
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class EventRoutingRouteTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    JdbcTemplate jdbc;

    @LocalServerPort
    int port;

    @BeforeEach
    void clean() {
        Tables.truncateAll(jdbc);
    }

    @Test
    void theRouterSendsEachEntityToItsStoreRouteAndIgnoresTheRest() throws Exception {
        AdviceWith.adviceWith(camel, "apply-event", route -> route.mockEndpointsAndSkip("direct:store-*"));
        MockEndpoint leads = camel.getEndpoint("mock:direct:store-lead", MockEndpoint.class);
        MockEndpoint contacts = camel.getEndpoint("mock:direct:store-contact", MockEndpoint.class);
        MockEndpoint companies = camel.getEndpoint("mock:direct:store-company", MockEndpoint.class);
        MockEndpoint tasks = camel.getEndpoint("mock:direct:store-task", MockEndpoint.class);
        for (MockEndpoint store : List.of(leads, contacts, companies, tasks)) {
            store.whenAnyExchangeReceived(exchange -> exchange.setProperty(Flow.OUTCOME, "stored"));
        }
        leads.expectedHeaderValuesReceivedInAnyOrder("amoAction", "add", "status");
        contacts.expectedMessageCount(1);
        companies.expectedMessageCount(1);
        tasks.expectedMessageCount(1);

        send(event("leads", "lead", "add", "1"));
        send(event("leads", "lead", "status", "2"));
        send(event("contacts", "contact", "update", "3"));
        send(event("contacts", "company", "add", "4"));
        send(event("task", "task", "add", "5"));
        Exchange unknown = send(event("catalogs", "catalogs", "add", "6"));
        Exchange unknownAction = send(event("leads", "lead", "mail_in", "7"));

        MockEndpoint.assertIsSatisfied(camel);
        assertThat(leads.getReceivedExchanges().get(0).getIn().getHeader("amoEntityId")).isEqualTo("1");
        assertThat(unknown.getProperty(Flow.OUTCOME)).isEqualTo("ignored");
        assertThat(unknownAction.getProperty(Flow.OUTCOME)).isEqualTo("ignored");
        assertThat(jdbc.queryForList("SELECT entity || ':' || outcome FROM webhook_events ORDER BY id", String.class))
                .containsExactly("lead:stored", "lead:stored", "contact:stored", "company:stored", "task:stored",
                        "catalogs:ignored", "lead:ignored");
    }

    @Test
    void aStoreFailureIsDeadLetteredWithTheEventAndTheError() throws Exception {
        AdviceWith.adviceWith(camel, "store-lead", route -> route.weaveById("sql-lead-upsert").replace()
                .throwException(new DataIntegrityViolationException("constraint violated")));

        Exchange result = send(event("leads", "lead", "update", "42"));

        assertThat(result.getException()).isNull();
        assertThat(result.getProperty(Flow.OUTCOME)).isEqualTo("dead-lettered");
        Map<String, Object> dead = jdbc.queryForMap("SELECT * FROM dead_letters");
        assertThat(dead).containsEntry("entity", "lead").containsEntry("action", "update")
                .containsEntry("entity_id", "42").containsEntry("route_id", "route-event")
                .containsEntry("error_class", DataIntegrityViolationException.class.getName())
                .containsEntry("error_message", "constraint violated");
        assertThat(jdbc.queryForObject("SELECT payload->'data'->>'name' FROM dead_letters", String.class))
                .isEqualTo("Lead 42");
        assertThat(Tables.count(jdbc, "amo_leads")).isZero();
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_events", String.class)).isEqualTo("dead-lettered");
    }

    @Test
    void aTransientDatabaseErrorIsRetriedAndTheEventStoredWithoutADeadLetter() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AdviceWith.adviceWith(camel, "store-lead", route -> route.weaveById("sql-lead-upsert").before()
                .process(exchange -> {
                    if (attempts.incrementAndGet() <= 2) {
                        throw new TransientDataAccessResourceException("connection reset by peer");
                    }
                }));

        Exchange result = send(event("leads", "lead", "update", "43"));

        assertThat(attempts.get()).isEqualTo(3);
        assertThat(result.getProperty(Flow.OUTCOME)).isEqualTo("stored");
        assertThat(Tables.count(jdbc, "dead_letters")).isZero();
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 43", String.class)).isEqualTo("Lead 43");
    }

    /**
     * Over HTTP: the request's fast attempt (no savepoints) fails, the request is stored again with savepoints,
     * where the event is retried and stored; amoCRM gets 200 and no dead letter is kept.
     */
    @Test
    void aTransientErrorInARequestIsRetriedInItsSavepointAndAnswered200() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AdviceWith.adviceWith(camel, "store-lead", route -> route.weaveById("sql-lead-upsert").before()
                .process(exchange -> {
                    if (attempts.incrementAndGet() <= 2) {
                        throw new TransientDataAccessResourceException("connection reset by peer");
                    }
                }));

        Answer answer = new WebhookClient(port).postSigned(WebhookClient.sample("leads-add.form"));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("stored")).isEqualTo(1);
        assertThat(attempts.get()).as("fast attempt, savepoint attempt, retry").isEqualTo(3);
        assertThat(Tables.count(jdbc, "dead_letters")).isZero();
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 24567891", String.class))
                .isEqualTo("Website order #1042");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_events", String.class)).isEqualTo("stored");
    }

    /**
     * Over HTTP: a request commits once, after its own row. A failure after its events' journal rows were written
     * in one batch leaves nothing behind: camel-sql would commit the connection after a batch if told nothing.
     */
    @Test
    void aFailureAfterTheJournalBatchRollsTheWholeRequestBack() throws Exception {
        AdviceWith.adviceWith(camel, "accept-request", route -> route.weaveById("sql-request-accepted").replace()
                .throwException(new IllegalStateException("the request's row could not be written")));

        Answer answer = new WebhookClient(port).postSigned(WebhookClient.sample("leads-add.form"));

        assertThat(answer.status()).as("nothing acknowledged").isEqualTo(500);
        assertThat(Tables.count(jdbc, "amo_leads")).as("the lead rolled back with the request").isZero();
        assertThat(Tables.count(jdbc, "webhook_events")).as("its journal rows too").isZero();
    }

    @Test
    void noSqlEndpointCommitsABatchOnItsOwn() {
        SqlEndpoint operators = camel.getEndpoint("sql:INSERT INTO t VALUES (:#x)?batch=true", SqlEndpoint.class);
        assertThat(operators.isBatchAutoCommitDisabled()).as("an operator's batch in the request's transaction").isFalse();
    }

    @Test
    void aPermanentErrorIsNotRetried() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AdviceWith.adviceWith(camel, "store-lead", route -> route.weaveById("sql-lead-upsert").before()
                .process(exchange -> {
                    attempts.incrementAndGet();
                    throw new DataIntegrityViolationException("value too long");
                }));

        Exchange result = send(event("leads", "lead", "update", "44"));

        assertThat(attempts.get()).isEqualTo(1);
        assertThat(result.getProperty(Flow.OUTCOME)).isEqualTo("dead-lettered");
        assertThat(jdbc.queryForObject("SELECT attempts FROM dead_letters", Integer.class)).isEqualTo(1);
    }

    @Test
    void aTransientErrorThatPersistsIsDeadLetteredAfterTheRetries() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        AdviceWith.adviceWith(camel, "store-lead", route -> route.weaveById("sql-lead-upsert").before()
                .process(exchange -> {
                    attempts.incrementAndGet();
                    throw new TransientDataAccessResourceException("deadlock detected");
                }));

        long start = System.nanoTime();
        Exchange result = send(event("leads", "lead", "update", "45"));

        assertThat(attempts.get()).isEqualTo(4);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(2));
        assertThat(result.getProperty(Flow.OUTCOME)).isEqualTo("dead-lettered");
        assertThat(jdbc.queryForObject("SELECT attempts FROM dead_letters", Integer.class)).isEqualTo(4);
    }

    @Test
    void anInterruptWhileWaitingToRetryFailsTheEventInsteadOfKeepingADeadLetter() throws Exception {
        AdviceWith.adviceWith(camel, "store-lead", route -> route.weaveById("sql-lead-upsert").before()
                .process(exchange -> {
                    Thread.currentThread().interrupt(); // as a server being stopped would, while the retry waits
                    throw new TransientDataAccessResourceException("connection reset by peer");
                }));

        Exchange result;
        boolean interrupted;
        try {
            result = send(event("leads", "lead", "update", "46"));
        } finally {
            interrupted = Thread.interrupted();
        }

        assertThat(interrupted).as("the interrupt is kept for the thread's owner").isTrue();
        assertThat(result.getException()).as("the request fails, so amoCRM sends it again").isNotNull();
        assertThat(Tables.count(jdbc, "dead_letters")).isZero();
        assertThat(Tables.count(jdbc, "amo_leads")).isZero();
    }

    private Exchange send(AmoEvent event) {
        InboundRequest request = new InboundRequest(UUID.randomUUID(), Instant.now(), new byte[0], 0, false, null,
                null, null, List.of(), null, null, "127.0.0.1");
        return producer.send("direct:route-event", exchange -> {
            exchange.setProperty(Flow.REQUEST, request);
            new RequestAbort().open(exchange);
            exchange.getIn().setBody(event);
        });
    }

    private static AmoEvent event(String topic, String entity, String action, String id) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", id);
        data.put("name", "Lead " + id);
        return new AmoEvent(topic, entity, action, "0", data, new Account("31234567", "examplecrm", null));
    }
}
