package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static dev.amowebhook.WebhookClient.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.verify.HmacSha256;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/** The security model against real requests: tokens, signatures, the account check, the disconnect hook, operators. */
@WebhookServerTest
@TestPropertySource(properties = {
    "amocrm.domain=https://examplecrm.amocrm.ru",
    "amocrm.account-id=31234567",
    "amocrm.client-id=2f1c6c7e-0d4b-4e55-9a1b-6c2f0e3d4a5b",
    "amocrm.webhook.tokens=" + WebhookServerTest.TOKEN + ",previous-token-abcdef"
})
@ExtendWith(OutputCaptureExtension.class)
class SecurityEndToEndTest {

    static final String CLIENT_ID = "2f1c6c7e-0d4b-4e55-9a1b-6c2f0e3d4a5b";

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        Tables.truncateAll(jdbc);
        jdbc.execute("TRUNCATE amo_disconnects");
    }

    @Test
    void amoCrmPostsUnsignedToTheTokenUrlInThePathOrTheQuery() {
        Answer path = client.post("/api/webhooks/amo/" + WebhookServerTest.TOKEN, sample("leads-add.form"),
                WebhookClient.FORM, null, null);
        Answer query = client.post("/api/webhooks/amo?token=" + WebhookServerTest.TOKEN, sample("contacts-add.form"),
                WebhookClient.FORM, null, null);
        Answer previous = client.post("/api/webhooks/amo/previous-token-abcdef", sample("companies-add.form"),
                WebhookClient.FORM, null, null);

        assertThat(path.status()).isEqualTo(200);
        assertThat(query.status()).isEqualTo(200);
        assertThat(previous.status()).as("a rotated-out token still works during rotation").isEqualTo(200);
        assertThat(Tables.entityCounts(jdbc)).startsWith("1/1/1/");
    }

    @Test
    void aWrongTokenIs401EvenWithAValidSignature() {
        byte[] body = sample("leads-add.form");
        Answer answer = client.post("/api/webhooks/amo/wrong-token", body, WebhookClient.FORM,
                HmacSha256.signHex(WebhookServerTest.SECRET, body), null);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().path("code").asText()).isEqualTo("invalid_token");
        assertThat(Tables.count(jdbc, "amo_leads")).isZero();
    }

    @Test
    void signaturesInHexBase64AndWithPrefixAreAccepted() {
        byte[] body = sample("leads-add.form");
        byte[] mac = HmacSha256.sign(WebhookServerTest.SECRET, body);
        for (String signature : new String[] {HmacSha256.signHex(WebhookServerTest.SECRET, body).toUpperCase(),
                Base64.getEncoder().encodeToString(mac), "sha256=" + HmacSha256.signHex(WebhookServerTest.SECRET, body)}) {
            Tables.truncateAll(jdbc);
            assertThat(client.post("/api/webhooks/amo", body, WebhookClient.FORM, signature, null).status())
                    .as(signature).isEqualTo(200);
        }
    }

    @Test
    void aWebhookOfAnotherAccountIs403() {
        byte[] otherSubdomain = form().add("account[subdomain]", "intruder").add("account[id]", "31234567")
                .item("leads[add][0]", "id", "1").bytes();
        byte[] otherId = form().add("account[subdomain]", "examplecrm").add("account[id]", "999")
                .item("leads[add][0]", "id", "1").bytes();
        byte[] noAccount = form().item("leads[add][0]", "id", "1").bytes();

        for (byte[] body : new byte[][] {otherSubdomain, otherId, noAccount}) {
            Answer answer = client.postSigned(body);
            assertThat(answer.status()).isEqualTo(403);
            assertThat(answer.json().path("code").asText()).isEqualTo("wrong_account");
        }
        assertThat(Tables.count(jdbc, "amo_leads")).isZero();
        assertThat(jdbc.queryForList("SELECT error_code FROM webhook_requests", String.class))
                .containsOnly("wrong_account");
    }

    @Test
    void theAccountMatchesBySelfLinkWhenTheSubdomainIsMissing() {
        byte[] body = form().add("account[id]", "31234567").add("account[_links][self]", "https://examplecrm.amocrm.ru")
                .item("leads[add][0]", "id", "2").bytes();

        assertThat(client.postSigned(body).status()).isEqualTo(200);
    }

    @Test
    void theDisconnectHookIsVerifiedAndRecorded() {
        String signature = HmacSha256.signHex(WebhookServerTest.SECRET,
                (CLIENT_ID + "|31234567").getBytes(StandardCharsets.UTF_8));

        Answer ok = client.get("/api/webhooks/amo/disconnect?account_id=31234567&client_uuid=" + CLIENT_ID
                + "&signature=" + signature);
        Answer forged = client.get("/api/webhooks/amo/disconnect?account_id=31234568&client_uuid=" + CLIENT_ID
                + "&signature=" + signature);
        Answer otherClient = client.get("/api/webhooks/amo/disconnect?account_id=31234567&client_uuid=someone-else"
                + "&signature=" + HmacSha256.signHex(WebhookServerTest.SECRET,
                        "someone-else|31234567".getBytes(StandardCharsets.UTF_8)));
        Answer missing = client.get("/api/webhooks/amo/disconnect?account_id=31234567");

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("status").asText()).isEqualTo("disconnected");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().path("error").asText()).isEqualTo("Invalid signature");
        assertThat(otherClient.status()).isEqualTo(403);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(jdbc.queryForList("SELECT account_id || ':' || client_uuid FROM amo_disconnects", String.class))
                .containsExactly("31234567:" + CLIENT_ID);
    }

    @Test
    void operatorSurfacesNeedOperatorCredentials() {
        assertThat(client.get("/actuator/prometheus").status()).isEqualTo(401);
        assertThat(operator("/actuator/prometheus", "operator", "wrong").status()).isEqualTo(401);
        assertThat(operator("/actuator/prometheus", "operator", WebhookServerTest.ADMIN_PASSWORD).status()).isEqualTo(200);
        assertThat(client.get("/actuator/health").status()).isEqualTo(200);
        assertThat(operator("/actuator/env", "operator", WebhookServerTest.ADMIN_PASSWORD).status())
                .as("the environment, with its secrets, is not exposed at all").isEqualTo(404);
    }

    @Test
    void operatorCredentialsAreNoSubstituteForWebhookAuthentication() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/webhooks/amo"))
                .header("Authorization", basic("operator", WebhookServerTest.ADMIN_PASSWORD))
                .header("Content-Type", WebhookClient.FORM)
                .POST(HttpRequest.BodyPublishers.ofByteArray(sample("leads-add.form"))).build();

        Answer answer = client.send(request);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().path("code").asText()).isEqualTo("missing_signature");
    }

    @Test
    void secretsNeverAppearInLogsAnswersOrTheJournal(CapturedOutput output) {
        byte[] body = sample("leads-add.form");
        Answer wrongSignature = client.post("/api/webhooks/amo", body, WebhookClient.FORM,
                HmacSha256.signHex("not-the-secret", body), null);
        Answer wrongToken = client.post("/api/webhooks/amo/" + WebhookServerTest.TOKEN + "x", body,
                WebhookClient.FORM, null, null);
        client.post("/api/webhooks/amo/" + WebhookServerTest.TOKEN, body, WebhookClient.FORM, null, null);

        String journal = jdbc.queryForObject("SELECT string_agg(coalesce(error, '') || coalesce(error_code, ''), '|') "
                + "FROM webhook_requests", String.class);
        for (String secret : new String[] {WebhookServerTest.SECRET, WebhookServerTest.TOKEN,
                WebhookServerTest.ADMIN_PASSWORD, WebhookServerTest.PREVIOUS_SECRET}) {
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(wrongSignature.body()).doesNotContain(secret);
            assertThat(wrongToken.body()).doesNotContain(secret);
            assertThat(journal).doesNotContain(secret);
        }
    }

    private Answer operator(String path, String user, String password) {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", basic(user, password)).GET().build());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
