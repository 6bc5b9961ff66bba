package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.RowLock;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * amoCRM sends a request again when the first delivery is slow to answer, so the re-delivery can arrive while the
 * original is still being stored. It must wait for the original and be answered as its duplicate: one accepted
 * request, its events applied and journaled once.
 */
@WebhookServerTest
class RedeliveryRaceTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    /** The same request id, or the same bytes under a new id (a retry through a proxy that renumbers). */
    @ParameterizedTest
    @ValueSource(strings = {"race-1", "race-2"})
    void aReDeliveryArrivingWhileTheOriginalIsStoredIsAnsweredAsItsDuplicate(String redeliveryId) throws Exception {
        Tables.truncateAll(jdbc);
        WebhookClient client = new WebhookClient(port);
        assertThat(client.postSigned(lead("Before", "1732600000"), "race-0").status()).isEqualTo(200);
        byte[] body = lead("After", "1732600100");

        CompletableFuture<Answer> original;
        CompletableFuture<Answer> redelivery;
        try (RowLock lock = RowLock.on(dataSource, "amo_leads", 73001)) {
            // the original waits for the lead's row lock inside its transaction: slow, as amoCRM saw it
            original = CompletableFuture.supplyAsync(() -> client.postSigned(body, "race-1"));
            awaitWaiting("%", 1);
            redelivery = CompletableFuture.supplyAsync(() -> client.postSigned(body, redeliveryId));
            awaitWaiting("advisory", 1);
            assertThat(original).isNotDone();
            assertThat(redelivery).isNotDone();
        }

        Answer first = original.get(10, TimeUnit.SECONDS);
        Answer second = redelivery.get(10, TimeUnit.SECONDS);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("status").asText()).isEqualTo("accepted");
        assertThat(first.count("stored")).isEqualTo(1);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("status").asText()).as("the re-delivery").isEqualTo("duplicate");
        assertThat(second.json().path("duplicateOf").asText()).isEqualTo(first.json().path("requestId").asText());

        List<Map<String, Object>> requests = jdbc.queryForList(
                "SELECT outcome, CAST(duplicate_of AS text) AS duplicate_of FROM webhook_requests "
                        + "WHERE amo_request_id IN ('race-1', ?) ORDER BY outcome", redeliveryId);
        assertThat(requests).extracting(row -> row.get("outcome")).containsExactly("accepted", "duplicate");
        assertThat(requests.get(1).get("duplicate_of")).isEqualTo(first.json().path("requestId").asText());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_events e JOIN webhook_requests r "
                + "ON r.id = e.request_id WHERE r.amo_request_id IN ('race-1', ?)", Integer.class, redeliveryId))
                .as("the event journaled once").isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 73001", String.class)).isEqualTo("After");
    }

    /**
     * A re-delivery that cannot get its dedupe lock within the function's lock_timeout (1.5 s) is answered 503 with
     * its own cause, not as a database outage, and stores nothing; amoCRM's retry after the original is a duplicate.
     */
    @Test
    void aReDeliveryThatWaitsLongerThanTheLockTimeoutIsAnsweredDeliveryInProgress() throws Exception {
        Tables.truncateAll(jdbc);
        WebhookClient client = new WebhookClient(port);
        assertThat(client.postSigned(lead("Before", "1732600000"), "slow-0").status()).isEqualTo(200);
        byte[] body = lead("After", "1732600100");

        CompletableFuture<Answer> original;
        Answer busy;
        try (RowLock lock = RowLock.on(dataSource, "amo_leads", 73001)) {
            original = CompletableFuture.supplyAsync(() -> client.postSigned(body, "slow-1"));
            awaitWaiting("%", 1);
            long started = System.nanoTime();
            busy = client.postSigned(body, "slow-1");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("after the 1.5 s lock_timeout")
                    .isBetween(1_400L, 5_000L);
            assertThat(original).isNotDone();
        }

        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.json().path("code").asText()).isEqualTo("delivery_in_progress");
        assertThat(busy.json().path("error").asText()).contains("still being stored");
        Answer first = original.get(10, TimeUnit.SECONDS);
        assertThat(first.json().path("status").asText()).isEqualTo("accepted");
        assertThat(jdbc.queryForList("SELECT outcome FROM webhook_requests WHERE amo_request_id = 'slow-1'", String.class))
                .as("the refused delivery stored nothing").containsExactly("accepted");

        Answer retry = client.postSigned(body, "slow-1");
        assertThat(retry.json().path("status").asText()).as("amoCRM's retry").isEqualTo("duplicate");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_events e JOIN webhook_requests r "
                + "ON r.id = e.request_id WHERE r.amo_request_id = 'slow-1'", Integer.class)).isEqualTo(1);
    }

    private static byte[] lead(String name, String updatedAt) {
        return form().account()
                .item("leads[update][0]", "id", "73001", "name", name, "status_id", "142", "updated_at", updatedAt)
                .bytes();
    }

    /** Until this many of the server's connections wait for a lock of this kind ({@code %}: any). */
    private void awaitWaiting(String lock, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (jdbc.queryForObject("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                + "AND wait_event LIKE ?", Integer.class, lock) < count) {
            assertThat(System.nanoTime()).as("%d deliveries waiting for a %s lock in time", count, lock)
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
