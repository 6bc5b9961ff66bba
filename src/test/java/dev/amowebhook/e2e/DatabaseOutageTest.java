package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static dev.amowebhook.WebhookClient.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.FormBody;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.config.EmbeddedDatabase;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * PostgreSQL goes away under a running server: amoCRM must get a non-2xx within its ~2 s budget (so it retries),
 * never a 2xx, and the server must recover by itself once the database is back.
 */
@WebhookServerTest
@TestPropertySource(properties = "amocrm.embedded-postgres.clean-on-stop=false")
@DirtiesContext
class DatabaseOutageTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedDatabase database;

    @Autowired
    JdbcTemplate jdbc;

    @AfterEach
    void databaseBack() {
        database.start();
    }

    @Test
    void requestsFailFastWith503WhileTheDatabaseIsDownAndSucceedAfter() {
        WebhookClient client = new WebhookClient(port);
        assertThat(client.postSigned(sample("leads-add.form")).status()).isEqualTo(200);

        database.stop();

        Answer single = client.postSigned(sample("contacts-add.form"));
        assertThat(single.status()).isEqualTo(503);
        assertThat(single.json().path("code").asText()).isEqualTo("database_unavailable");
        assertThat(single.took()).isLessThan(Duration.ofSeconds(2));

        FormBody bulk = form().account();
        for (int i = 0; i < 50; i++) {
            bulk.item("leads[update][" + i + "]", "id", String.valueOf(9000 + i), "name", "Bulk " + i);
        }
        Answer batch = client.postSigned(bulk.bytes());
        assertThat(batch.status()).isEqualTo(503);
        assertThat(batch.took()).as("50 events, one connection timeout").isLessThan(Duration.ofSeconds(2));

        Answer badSignature = client.post("/api/webhooks/amo", sample("leads-add.form"), WebhookClient.FORM,
                "00" + "ab".repeat(31), null);
        assertThat(badSignature.status()).as("refused as usual, though it cannot be journaled").isEqualTo(401);
        assertThat(badSignature.json().path("code").asText()).isEqualTo("invalid_signature");

        Answer health = client.get("/api/webhooks/amo/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.json().path("database").path("status").asText()).isEqualTo("DOWN");
        assertThat(health.took()).isLessThan(Duration.ofSeconds(2));
        Answer readiness = client.get("/actuator/health/readiness");
        assertThat(readiness.status()).as("not ready to store webhooks").isEqualTo(503);
        assertThat(readiness.json().path("components").path("db").path("status").asText()).isEqualTo("DOWN");
        assertThat(client.get("/actuator/health/liveness").status())
                .as("alive: restarting would not bring the database back").isEqualTo(200);

        database.start();
        awaitHealthy(client);

        Answer retried = client.postSigned(sample("contacts-add.form"));
        assertThat(retried.status()).isEqualTo(200);
        assertThat(retried.count("stored")).isEqualTo(1);
        assertThat(client.postSigned(bulk.bytes()).count("stored")).isEqualTo(50);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM amo_leads", Integer.class)).isEqualTo(51);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM amo_contacts", Integer.class)).isEqualTo(1);
    }

    /** The pool reconnects on its own; health turns 200 again without restarting the server. */
    private static void awaitHealthy(WebhookClient client) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (client.get("/api/webhooks/amo/health").status() != 200) {
            assertThat(System.nanoTime()).as("health back to 200 within 15 s").isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
