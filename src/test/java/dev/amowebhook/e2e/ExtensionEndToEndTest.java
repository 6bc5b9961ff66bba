package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static dev.amowebhook.WebhookClient.sample;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Integration engineers' YAML-only extensions against a real HTTP receiver: the recipes in routes/examples, and a
 * forward-to-http template instance configured by properties alone.
 */
@WebhookServerTest
class ExtensionEndToEndTest {

    static final Receiver RECEIVER = new Receiver();

    @DynamicPropertySource
    static void extensions(DynamicPropertyRegistry registry) {
        registry.add("EXTRA_ROUTES", () -> "file:routes/examples/notify-lead-won.camel.yaml,"
                + "file:routes/examples/mirror-contact-phones.camel.yaml,file:routes/examples/drop-test-pipeline.camel.yaml");
        registry.add("RECIPE_CHAT_WEBHOOK_URL", () -> RECEIVER.url("/chat"));
        registry.add("RECIPE_TEST_PIPELINE_ID", () -> "999");
        registry.add("camel.routetemplate.config[0].templateId", () -> "forward-to-http");
        registry.add("camel.routetemplate.config[0].routeId", () -> "forward-added-companies");
        registry.add("camel.routetemplate.config[0].entities", () -> "companies");
        registry.add("camel.routetemplate.config[0].action", () -> "add");
        registry.add("camel.routetemplate.config[0].url", () -> RECEIVER.url("/forward"));
        registry.add("camel.routetemplate.config[0].headerSecret", () -> "forward-secret");
        registry.add("camel.routetemplate.config[0].retries", () -> "1");
        registry.add("camel.routetemplate.config[0].retryDelayMs", () -> "100");
        registry.add("camel.routetemplate.config[0].timeoutMs", () -> "2000");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    final ObjectMapper mapper = new ObjectMapper();
    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        Tables.truncateAll(jdbc);
        RECEIVER.reset();
    }

    @Test
    void aStoredLeadStageChangeReachesTheExtensionRoute() throws Exception {
        assertThat(client.postSigned(sample("leads-status.form")).count("stored")).isEqualTo(1);

        await(() -> !RECEIVER.received("/chat").isEmpty());
        JsonNode message = mapper.readTree(RECEIVER.received("/chat").get(0).body());
        assertThat(message.path("text").asText()).contains("Lead #24567891 reached stage 142").contains("examplecrm");
    }

    @Test
    void aForwardTemplateInstanceDeliversTheEventAsJson() throws Exception {
        assertThat(client.postSigned(sample("companies-add.form")).count("stored")).isEqualTo(1);

        await(() -> !RECEIVER.received("/forward").isEmpty());
        Delivery delivery = RECEIVER.received("/forward").get(0);
        JsonNode event = mapper.readTree(delivery.body());
        assertThat(event.path("name").asText()).isEqualTo("Acme Logistics LLC");
        assertThat(event.path("id").asText()).isEqualTo("48123999");
        assertThat(delivery.secret()).isEqualTo("forward-secret");
    }

    @Test
    void aFailingForwardIsDeadLetteredOnItsOwnAndReplayedOnceTheReceiverRecovers() {
        RECEIVER.failWith(500);
        byte[] company = form().account().item("contacts[add][0]", "id", "777001", "name", "Failing Forward Ltd",
                "type", "company", "updated_at", "1732608030").bytes();

        Answer answer = client.postSigned(company);

        assertThat(answer.count("stored")).as("the webhook does not wait for, or fail with, the extension")
                .isEqualTo(1);
        await(() -> jdbc.queryForObject("SELECT count(*) FROM dead_letters", Integer.class) == 1);
        Map<String, Object> dead = jdbc.queryForMap("SELECT * FROM dead_letters");
        assertThat(dead).containsEntry("target", "direct:after-companies-add").containsEntry("entity", "company")
                .containsEntry("route_id", "dispatch-extension");
        assertThat(RECEIVER.attempts.get()).as("tried, then retried once").isEqualTo(2);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_companies WHERE id = 777001", String.class))
                .isEqualTo("Failing Forward Ltd");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_events", String.class)).isEqualTo("stored");

        RECEIVER.failWith(0);
        JsonNode replay = admin("/api/admin/dead-letters/" + dead.get("id") + "/replay").json();

        assertThat(replay.path("result").asText()).isEqualTo("replayed");
        assertThat(RECEIVER.received("/forward")).hasSize(1);
        assertThat(RECEIVER.received("/forward").get(0).body()).contains("Failing Forward Ltd");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM amo_companies", Integer.class))
                .as("the replay did not store the company again").isEqualTo(1);
    }

    @Test
    void theMirrorRecipeKeepsContactPhonesInTheirOwnTable() {
        client.postSigned(sample("contacts-add.form"));

        await(() -> jdbc.queryForObject("SELECT count(*) FROM contact_phones WHERE contact_id = 48123456",
                Integer.class) == 1);
        assertThat(jdbc.queryForObject("SELECT digits FROM contact_phones WHERE contact_id = 48123456", String.class))
                .isEqualTo("14155550134");
    }

    @Test
    void theBeforeStoreRecipeDropsOnePipelineAndLabelsTheRest() {
        byte[] body = form().account()
                .item("leads[add][0]", "id", "990001", "name", "Sandbox", "pipeline_id", "999")
                .item("leads[add][1]", "id", "990002", "name", "Real", "pipeline_id", "7654321")
                .bytes();

        Answer answer = client.postSigned(body);

        assertThat(answer.count("ignored")).isEqualTo(1);
        assertThat(answer.count("stored")).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT id FROM amo_leads", Long.class)).containsExactly(990002L);
        assertThat(jdbc.queryForObject("SELECT payload->>'received_via' FROM amo_leads", String.class))
                .isEqualTo("amocrm-webhook-server");
        assertThat(jdbc.queryForObject("SELECT payload->>'name' FROM webhook_events WHERE entity_id = '990001'",
                String.class)).as("a dropped event is still kept in the journal").isEqualTo("Sandbox");
    }

    private Answer admin(String path) {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("operator:" + WebhookServerTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("within 15 s").isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    record Delivery(String path, String body, String secret) {
    }

    /** A local HTTP server standing in for a chat webhook and a forwarding target; it can be told to fail. */
    static final class Receiver {

        final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        final AtomicInteger attempts = new AtomicInteger();
        volatile int failStatus;
        final HttpServer server;

        Receiver() {
            try {
                server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                attempts.incrementAndGet();
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                int status = failStatus;
                if (status == 0) {
                    deliveries.add(new Delivery(exchange.getRequestURI().getPath(), body,
                            exchange.getRequestHeaders().getFirst("X-Webhook-Secret")));
                    status = 200;
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            server.start();
        }

        String url(String path) {
            return "http://localhost:" + server.getAddress().getPort() + path;
        }

        List<Delivery> received(String path) {
            return deliveries.stream().filter(d -> d.path().equals(path)).toList();
        }

        void failWith(int status) {
            failStatus = status;
        }

        void reset() {
            deliveries.clear();
            attempts.set(0);
            failStatus = 0;
        }
    }
}
