package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.RowLock;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.http.WebhookWorkers;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * More webhooks than the workers and their queue hold: the one too many is answered 503 {@code overloaded} at
 * once (amoCRM retries it later), and the admitted ones are all stored once the workers are free again.
 */
@WebhookServerTest
// a long queue wait, so a slow machine cannot turn the queued webhook into a refused one
@TestPropertySource(properties = {
    "amocrm.webhook.workers=1", "amocrm.webhook.queue=1", "amocrm.webhook.queue-wait=30s"})
@DirtiesContext
class OverloadTest {

    /** Every post is a newer version, so none is skipped as stale. */
    private static final AtomicLong UPDATED_AT = new AtomicLong(1732600000);

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    WebhookWorkers workers;

    @Autowired
    MeterRegistry registry;

    @Test
    void oneWebhookBeyondTheWorkersAndTheQueueIsRefusedAtOnceAndTheOthersAreStored() throws Exception {
        Tables.truncateAll(jdbc);
        WebhookClient client = new WebhookClient(port);
        assertThat(client.postSigned(lead("71001", "Before")).status()).isEqualTo(200);

        CompletableFuture<Answer> blocked;
        CompletableFuture<Answer> queued;
        try (RowLock lock = RowLock.on(dataSource, "amo_leads", 71001)) {
            // the only worker waits for the lead's row lock, the next webhook waits for the worker
            blocked = CompletableFuture.supplyAsync(() -> client.postSigned(lead("71001", "After")));
            awaitAdmitted(1);
            while (workers.busy() < 1) {
                Thread.sleep(10);
            }
            queued = CompletableFuture.supplyAsync(() -> client.postSigned(lead("71002", "Queued")));
            awaitAdmitted(2);

            assertThat(registry.get("amocrm_webhook_workers_busy").gauge().value()).isEqualTo(1);
            assertThat(registry.get("amocrm_webhook_queued").gauge().value()).isEqualTo(1);

            Answer refused = client.postSigned(lead("71003", "Refused"));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().path("code").asText()).isEqualTo("overloaded");
            assertThat(refused.took()).as("answered without waiting for a worker").isLessThan(Duration.ofSeconds(1));
            assertThat(registry.get("amocrm_webhook_requests").tag("outcome", "overloaded").counter().count())
                    .isEqualTo(1);
            assertThat(registry.get("amocrm_webhook_request").tag("outcome", "overloaded").timer().count())
                    .as("timed from its arrival, like every other answer").isEqualTo(1);
            Answer health = client.get("/api/webhooks/amo/health");
            assertThat(health.status()).as("a probe is not queued behind the webhooks").isEqualTo(200);
            assertThat(blocked).as("still waiting for the lock").isNotDone();
            assertThat(queued).as("still waiting for the worker").isNotDone();
        }

        assertThat(blocked.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(queued.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 71001", String.class)).isEqualTo("After");
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 71002", String.class)).isEqualTo("Queued");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM amo_leads WHERE id = 71003", Integer.class))
                .as("the refused webhook wrote nothing").isZero();
        // a worker is released just after its answer is written, so a moment after the client has read it
        long released = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (workers.admitted() > 0 && System.nanoTime() < released) {
            Thread.sleep(10);
        }
        assertThat(workers.admitted()).as("every worker released").isZero();

        Answer again = client.postSigned(lead("71003", "Refused"));
        assertThat(again.status()).as("amoCRM's retry of the refused webhook").isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 71003", String.class)).isEqualTo("Refused");
    }

    private static byte[] lead(String id, String name) {
        return form().account().item("leads[update][0]", "id", id, "name", name, "status_id", "142",
                "updated_at", String.valueOf(UPDATED_AT.incrementAndGet())).bytes();
    }

    private void awaitAdmitted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (workers.admitted() < count) {
            assertThat(System.nanoTime()).as("%d webhooks admitted in time", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
