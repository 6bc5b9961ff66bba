package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.deadletter.DeadLetterMetrics;
import dev.amowebhook.deadletter.DeadLetterOperations;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ObjectUtils;

/** Operators find, fix and replay dead letters through the protected admin API, safely and exactly once. */
@WebhookServerTest
class DeadLetterEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DeadLetterMetrics metrics;

    @Autowired
    DeadLetterOperations operations;

    final ObjectMapper mapper = new ObjectMapper();
    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        Tables.truncateAll(jdbc);
    }

    @Test
    void aDeadLetterKeepsTheOriginalEventAndWhyItFailed() {
        client.postSigned(brokenLead(100, "1732600000"), "req-100");

        JsonNode page = admin("GET", "/api/admin/dead-letters?status=pending&entity=lead", null).json();
        assertThat(page.path("total").asInt()).isEqualTo(1);
        long id = page.path("items").get(0).path("id").asLong();

        JsonNode letter = admin("GET", "/api/admin/dead-letters/" + id, null).json();
        assertThat(letter.path("entity").asText()).isEqualTo("lead");
        assertThat(letter.path("action").asText()).isEqualTo("update");
        assertThat(letter.path("entity_id").asText()).isEqualTo("100");
        assertThat(letter.path("amo_request_id").asText()).isEqualTo("req-100");
        assertThat(letter.path("error_class").asText()).endsWith("InvalidEventException");
        assertThat(letter.path("error_message").asText()).contains("status_id");
        assertThat(letter.path("route_id").asText()).isEqualTo("route-event");
        assertThat(letter.path("attempts").asInt()).isEqualTo(1);
        assertThat(letter.path("status").asText()).isEqualTo("pending");
        assertThat(letter.path("payload").path("data").path("status_id").asText()).isEqualTo("stage-x");
        assertThat(letter.path("payload").path("data").path("name").asText()).isEqualTo("Lead 100");
        assertThat(letter.path("first_failed_at").isMissingNode()).isFalse();
    }

    @Test
    void filtersAndPagination() {
        client.postSigned(brokenLead(101, "1732600000"));
        client.postSigned(brokenLead(102, "1732600000"));
        client.postSigned(form().item("contacts[update][0]", "id", "103", "linked_company_id", "acme").bytes());

        assertThat(admin("GET", "/api/admin/dead-letters?entity=contact", null).json().path("total").asInt()).isEqualTo(1);
        assertThat(admin("GET", "/api/admin/dead-letters?error=linked_company", null).json().path("total").asInt())
                .isEqualTo(1);
        JsonNode second = admin("GET", "/api/admin/dead-letters?entity=lead&size=1&page=1", null).json();
        assertThat(second.path("total").asInt()).isEqualTo(2);
        assertThat(second.path("items")).hasSize(1);
        assertThat(second.path("items").get(0).path("entity_id").asText()).isEqualTo("101");
        assertThat(admin("GET", "/api/admin/dead-letters?since=2999-01-01T00:00:00Z", null).json().path("total").asInt())
                .isZero();
        assertThat(admin("GET", "/api/admin/dead-letters?size=100000", null).status()).isEqualTo(400);
        assertThat(admin("GET", "/api/admin/dead-letters/999999", null).status()).isEqualTo(404);
    }

    @Test
    void editThenReplayStoresTheEventAndKeepsTheHistory() throws Exception {
        client.postSigned(brokenLead(110, "1732600000"));
        long id = onlyDeadLetterId();

        Answer failedAgain = admin("POST", "/api/admin/dead-letters/" + id + "/replay", null);
        assertThat(failedAgain.json().path("result").asText()).isEqualTo("failed");
        JsonNode letter = admin("GET", "/api/admin/dead-letters/" + id, null).json();
        assertThat(letter.path("attempts").asInt()).isEqualTo(2);
        assertThat(letter.path("status").asText()).isEqualTo("pending");

        ObjectNode payload = (ObjectNode) letter.path("payload");
        ((ObjectNode) payload.path("data")).put("status_id", "142");
        assertThat(admin("PUT", "/api/admin/dead-letters/" + id + "/payload", payload.toString()).status()).isEqualTo(200);

        Answer replay = admin("POST", "/api/admin/dead-letters/" + id + "/replay", null);

        assertThat(replay.json().path("result").asText()).isEqualTo("replayed");
        assertThat(replay.json().path("outcome").asText()).isEqualTo("stored");
        assertThat(jdbc.queryForObject("SELECT status_id FROM amo_leads WHERE id = 110", Long.class)).isEqualTo(142L);
        letter = admin("GET", "/api/admin/dead-letters/" + id, null).json();
        assertThat(letter.path("status").asText()).isEqualTo("replayed");
        List<String> history = new ArrayList<>();
        letter.path("history").forEach(h -> history.add(h.path("action").asText() + ":" + h.path("result").asText("")));
        assertThat(history).containsExactly("replay:failed", "edit:", "replay:replayed");
        assertThat(letter.path("history").get(1).path("previous").path("data").path("status_id").asText())
                .isEqualTo("stage-x");
        assertThat(letter.path("history").get(2).path("by").asText()).isEqualTo("operator");
        assertThat(Tables.count(jdbc, "dead_letters")).as("a failed replay writes no new dead letter").isEqualTo(1);

        assertThat(admin("POST", "/api/admin/dead-letters/" + id + "/replay", null).json().path("result").asText())
                .as("a replayed dead letter is not replayed twice").isEqualTo("skipped");
        assertThat(admin("PUT", "/api/admin/dead-letters/" + id + "/payload", payload.toString()).status())
                .isEqualTo(409);
    }

    @Test
    void aReplayOfAnOldEventCannotOverwriteNewerData() {
        client.postSigned(brokenLead(120, "1732600000"));
        long id = onlyDeadLetterId();
        client.postSigned(form().item("leads[update][0]", "id", "120", "name", "Newer", "status_id", "200",
                "updated_at", "1732700000").bytes());
        fixStatus(id, "100");

        Answer replay = admin("POST", "/api/admin/dead-letters/" + id + "/replay", null);

        assertThat(replay.json().path("result").asText()).isEqualTo("replayed");
        assertThat(replay.json().path("outcome").asText()).isEqualTo("stale");
        assertThat(jdbc.queryForMap("SELECT name, status_id FROM amo_leads WHERE id = 120"))
                .containsEntry("name", "Newer").containsEntry("status_id", 200L);
    }

    @Test
    void bulkReplayWithDryRunByEntityAndAction() {
        for (int i = 0; i < 3; i++) {
            client.postSigned(form().item("leads[update][0]", "id", String.valueOf(130 + i), "name", "L" + i,
                    "price", "12 000 rub").bytes());
        }
        client.postSigned(form().item("contacts[update][0]", "id", "139", "linked_company_id", "acme").bytes());
        jdbc.update("UPDATE dead_letters SET payload = jsonb_set(payload, '{data,price}', '\"12000\"') WHERE entity = 'lead'");

        JsonNode dry = admin("POST", "/api/admin/dead-letters/replay?entity=lead&action=update&dryRun=true", null).json();
        assertThat(dry.path("matched").asInt()).isEqualTo(3);
        assertThat(Tables.count(jdbc, "amo_leads")).as("a dry run replays nothing").isZero();

        JsonNode bulk = admin("POST", "/api/admin/dead-letters/replay?entity=lead&action=update", null).json();

        assertThat(bulk.path("replayed").asInt()).isEqualTo(3);
        assertThat(bulk.path("failed").asInt()).isZero();
        assertThat(Tables.count(jdbc, "amo_leads")).isEqualTo(3);
        assertThat(jdbc.queryForList("SELECT entity || ':' || status FROM dead_letters ORDER BY id", String.class))
                .containsExactly("lead:replayed", "lead:replayed", "lead:replayed", "contact:pending");
    }

    @Test
    void discardNeedsAReasonAndIsFinal() {
        client.postSigned(brokenLead(140, "1732600000"));
        long id = onlyDeadLetterId();

        assertThat(admin("POST", "/api/admin/dead-letters/" + id + "/discard", "{}").status()).isEqualTo(400);
        JsonNode discarded = admin("POST", "/api/admin/dead-letters/" + id + "/discard",
                "{\"reason\": \"test lead, deleted in amoCRM\"}").json();

        assertThat(discarded.path("status").asText()).isEqualTo("discarded");
        assertThat(discarded.path("history").get(0).path("reason").asText()).isEqualTo("test lead, deleted in amoCRM");
        assertThat(admin("POST", "/api/admin/dead-letters/" + id + "/replay", null).json().path("result").asText())
                .isEqualTo("skipped");
    }

    @Test
    void twoReplayersAtOnceApplyEachDeadLetterExactlyOnce() throws Exception {
        for (int i = 0; i < 20; i++) {
            client.postSigned(brokenLead(200 + i, String.valueOf(1732600000 + i)));
        }
        jdbc.update("UPDATE dead_letters SET payload = jsonb_set(payload, '{data,status_id}', '\"142\"')");
        CountDownLatch start = new CountDownLatch(1);

        List<CompletableFuture<JsonNode>> replayers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            replayers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return admin("POST", "/api/admin/dead-letters/replay?entity=lead", null).json();
            }));
        }
        start.countDown();
        int replayed = 0;
        for (CompletableFuture<JsonNode> replayer : replayers) {
            replayed += replayer.get().path("replayed").asInt();
        }

        assertThat(replayed).isEqualTo(20);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE status = 'replayed' "
                + "AND jsonb_array_length(history) = 1", Integer.class)).isEqualTo(20);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_events WHERE outcome = 'stored'", Integer.class))
                .as("one stored event per dead letter").isEqualTo(20);
        assertThat(Tables.count(jdbc, "amo_leads")).isEqualTo(20);
    }

    @Test
    void theAdminApiNeedsOperatorCredentials() {
        Answer anonymous = client.get("/api/admin/dead-letters");
        Answer webhookSecret = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                + "/api/admin/dead-letters")).header("Authorization", basic("operator", WebhookServerTest.SECRET))
                .GET().build());

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(webhookSecret.status()).isEqualTo(401);
    }

    @Test
    void depthAndReplaysAreMetricsAndJmx() throws Exception {
        client.postSigned(brokenLead(150, "1732600000"));
        long id = onlyDeadLetterId();
        metrics.refresh();

        String scrape = admin("GET", "/actuator/prometheus", null).body();
        assertThat(scrape).contains("amocrm_dead_letters{entity=\"lead\",status=\"pending\"} 1.0");

        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        // tests run several servers in one JVM, so names carry the bean's identity (spring.jmx.unique-names)
        ObjectName deadLetters = new ObjectName("amocrm:type=DeadLetters,identity="
                + ObjectUtils.getIdentityHexString(operations));
        assertThat(jmx.getAttribute(deadLetters, "Pending")).isEqualTo(1L);
        fixStatus(id, "142");
        Object result = jmx.invoke(deadLetters, "replay", new Object[] {id}, new String[] {"long"});

        assertThat(result).isEqualTo("replayed (stored)");
        assertThat(admin("GET", "/actuator/prometheus", null).body())
                .containsPattern("amocrm_dead_letter_replays_total\\{result=\"replayed\"} [1-9]");
    }

    private byte[] brokenLead(int id, String updatedAt) {
        return form().account().item("leads[update][0]", "id", String.valueOf(id), "name", "Lead " + id,
                "status_id", "stage-x", "updated_at", updatedAt).bytes();
    }

    private long onlyDeadLetterId() {
        return jdbc.queryForObject("SELECT id FROM dead_letters", Long.class);
    }

    private void fixStatus(long id, String statusId) {
        jdbc.update("UPDATE dead_letters SET payload = jsonb_set(payload, '{data,status_id}', to_jsonb(CAST(? AS text))) "
                + "WHERE id = ?", statusId, id);
    }

    private Answer admin(String method, String path, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", basic("operator", WebhookServerTest.ADMIN_PASSWORD));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(json));
        return client.send(request.build());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
