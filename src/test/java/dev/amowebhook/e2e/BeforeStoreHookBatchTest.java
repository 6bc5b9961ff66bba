package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.HeldWriteCounts;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A before-store extension that runs SQL of its own, and swallows its errors, inside a bulk request whose upserts
 * are batched: its query sends the held upserts, so it is where a stale one is found. Catching that must not let
 * the request commit an event as stored that was not.
 */
@WebhookServerTest
class BeforeStoreHookBatchTest {

    static final String HOOK = """
            - route:
                id: test-before-store-query
                from:
                  uri: direct:before-store
                  steps:
                    - doTry:
                        steps:
                          - to:
                              uri: sql:SELECT 1
                        doCatch:
                          - exception:
                              - java.lang.Exception
                            steps:
                              - log:
                                  message: "the hook's query failed: ${exception.message}"
            """;

    @DynamicPropertySource
    static void hook(DynamicPropertyRegistry registry) {
        try {
            Path file = Files.createTempFile("before-store-query", ".camel.yaml");
            Files.writeString(file, HOOK);
            file.toFile().deleteOnExit();
            registry.add("EXTRA_ROUTES", () -> "file:" + file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MeterRegistry meters;

    HeldWriteCounts held;

    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        held = new HeldWriteCounts(meters);
        Tables.truncateAll(jdbc);
    }

    @Test
    void aStaleUpsertFoundByTheHooksQueryAndCaughtThereIsStillJournaledAsStale() {
        client.postSigned(form().account().item("leads[update][0]", "id", "7202", "name", "Newer",
                "updated_at", "1732700000").bytes());
        byte[] bulk = form().account()
                .item("leads[update][0]", "id", "7201", "name", "First", "updated_at", "1732600000")
                .item("leads[update][1]", "id", "7202", "name", "Older", "updated_at", "1732600000")
                .item("leads[update][2]", "id", "7203", "name", "Third", "updated_at", "1732600000")
                .bytes();

        double retriedBefore = held.batches("retried");
        double retriedUpsertsBefore = held.upserts("retried");

        Answer answer = client.postSigned(bulk, "req-hook-stale");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("stored")).isEqualTo(2);
        assertThat(answer.count("stale")).isEqualTo(1);
        // the hook's query before 7203 sent the batch [7202] (each hook query sends what its sibling held)
        assertThat(held.batches("retried") - retriedBefore).isEqualTo(1);
        assertThat(held.upserts("retried") - retriedUpsertsBefore).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT name FROM amo_leads ORDER BY id", String.class))
                .containsExactly("First", "Newer", "Third");
        assertThat(Tables.eventOutcomes(jdbc, "req-hook-stale"))
                .containsExactly("7201=stored", "7202=stale", "7203=stored");
    }
}
