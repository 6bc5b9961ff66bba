package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.Application;
import dev.amowebhook.FormBody;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.config.EmbeddedDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Scale-out at small scale: a second, stateless server on the first one's PostgreSQL. amoCRM's retries may land
 * on either; the same requests posted to both at once are applied exactly once, without deadlock errors.
 */
@WebhookServerTest
class TwoInstancesTest {

    static ConfigurableApplicationContext second;

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    EmbeddedDatabase database;

    @BeforeEach
    void setUp() {
        Tables.truncateAll(jdbc);
        if (second == null) {
            second = new SpringApplicationBuilder(Application.class).run(
                    "--server.port=0",
                    "--amocrm.db-url=jdbc:postgresql://localhost:" + database.port() + "/postgres?user=postgres",
                    "--amocrm.webhook.secrets=" + WebhookServerTest.SECRET,
                    "--camel.main.name=amocrm-webhooks-second",
                    "--camel.main.jmx-enabled=false",
                    "--spring.jmx.enabled=false");
        }
    }

    @AfterAll
    static void stopSecond() {
        if (second != null) {
            second.close();
            second = null;
        }
    }

    @Test
    void theSameRequestsPostedToBothInstancesAreAppliedOnce() throws Exception {
        WebhookClient first = new WebhookClient(port);
        WebhookClient other = new WebhookClient(((WebServerApplicationContext) second).getWebServer().getPort());
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            FormBody body = form().account();
            for (int j = 0; j < 5; j++) {
                int lead = 100 + (i * 5 + j) % 60;
                body.item("leads[update][" + j + "]", "id", String.valueOf(lead), "name", "Lead " + lead,
                        "status_id", String.valueOf(1000 + i), "updated_at", String.valueOf(1732600000 + i));
            }
            bodies.add(body.bytes());
        }

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Answer>> answers = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            byte[] body = bodies.get(i);
            String requestId = "req-" + i;
            answers.add(pool.submit(() -> first.postSigned(body, requestId)));
            answers.add(pool.submit(() -> other.postSigned(body, requestId)));
        }
        for (Future<Answer> answer : answers) {
            assertThat(answer.get().status()).isEqualTo(200);
        }
        pool.shutdown();

        assertThat(Tables.count(jdbc, "dead_letters")).as("no deadlock or other failure").isZero();
        assertThat(Tables.count(jdbc, "amo_leads")).isEqualTo(60);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM (SELECT entity_id, version FROM webhook_events "
                + "WHERE outcome = 'stored' GROUP BY entity_id, version HAVING count(*) > 1) twice", Integer.class))
                .as("no event applied twice").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_requests WHERE outcome = 'accepted'",
                Integer.class)).as("each request accepted by one instance").isEqualTo(40);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_requests WHERE outcome = 'duplicate'",
                Integer.class)).as("and answered as its duplicate by the other").isEqualTo(40);
        for (int lead = 100; lead < 160; lead++) {
            Long latest = jdbc.queryForObject("SELECT max(status_id) FROM (VALUES (1)) v, LATERAL ("
                    + "SELECT 1000 + i AS status_id FROM generate_series(0, 39) i WHERE (i * 5 + 0) % 60 = ? - 100 "
                    + "OR (i * 5 + 1) % 60 = ? - 100 OR (i * 5 + 2) % 60 = ? - 100 OR (i * 5 + 3) % 60 = ? - 100 "
                    + "OR (i * 5 + 4) % 60 = ? - 100) s", Long.class, lead, lead, lead, lead, lead);
            assertThat(jdbc.queryForObject("SELECT status_id FROM amo_leads WHERE id = ?", Long.class, lead))
                    .as("lead %d holds its newest update", lead).isEqualTo(latest);
        }
    }
}
