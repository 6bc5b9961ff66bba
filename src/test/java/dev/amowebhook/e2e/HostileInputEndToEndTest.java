package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static dev.amowebhook.WebhookClient.sample;
import static dev.amowebhook.WebhookClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.verify.HmacSha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Hostile and broken requests over real HTTP: each gets a 4xx JSON error naming the problem, never a 5xx, a hang
 * or an out-of-memory, and nothing is written but the rejected-request journal entry.
 */
@WebhookServerTest
class HostileInputEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        Tables.truncateAll(jdbc);
    }

    static Stream<Arguments> hostileBodies() {
        StringBuilder manyFields = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            manyFields.append(i == 0 ? "" : "&").append("a").append(i).append("=1");
        }
        StringBuilder deep = new StringBuilder("leads");
        for (int i = 0; i < 10_000; i++) {
            deep.append("%5Ba%5D");
        }
        deep.append("=1");
        return Stream.of(
                Arguments.of("key without '='", utf8("leads%5Badd%5D%5B0%5D%5Bid%5D=1&flag"), 400, "without '='"),
                Arguments.of("broken percent escape", utf8("leads%5Badd%5D%5B0%5D%5Bname%5D=%ZZ"), 400, "percent escape"),
                Arguments.of("truncated percent escape", utf8("leads%5Badd%5D%5B0%5D%5Bname%5D=abc%4"), 400, "percent escape"),
                Arguments.of("invalid UTF-8", utf8("leads%5Badd%5D%5B0%5D%5Bname%5D=%C3%28"), 400, "UTF-8"),
                Arguments.of("raw invalid UTF-8 bytes", new byte[] {'a', '=', (byte) 0xff, (byte) 0xfe}, 400, "UTF-8"),
                Arguments.of("NUL byte", utf8("leads%5Badd%5D%5B0%5D%5Bname%5D=a%00b"), 400, "NUL"),
                Arguments.of("JSON under the form content type", utf8("{\"leads\":{\"add\":[{\"id\":1}]}}"), 400, "'='"),
                Arguments.of("100,000 fields", utf8(manyFields.toString()), 400, "too many form fields"),
                Arguments.of("nesting 10,000 levels deep", utf8(deep.toString()), 400, "deeper"),
                Arguments.of("duplicate keys", utf8("leads%5Badd%5D%5B0%5D%5Bid%5D=1&leads%5Badd%5D%5B0%5D%5Bid%5D=2"), 400,
                        "duplicate"),
                Arguments.of("value and parent under one name", utf8("leads%5Badd%5D=1&leads%5Badd%5D%5B0%5D%5Bid%5D=2"),
                        400, "conflicts"),
                Arguments.of("unbalanced brackets", utf8("leads%5Badd%5D%5B0=1"), 400, "malformed field name"),
                Arguments.of("only an account block", utf8("account%5Bid%5D=1"), 400, "no events"),
                Arguments.of("empty body", new byte[0], 400, "empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileBodies")
    void hostileBodiesGetA4xxJsonErrorAndWriteOnlyTheJournal(String name, byte[] body, int status, String says) {
        Answer answer = client.postSigned(body);

        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.json().path("error").asText()).contains(says);
        assertThat(answer.took()).isLessThan(Duration.ofSeconds(5));
        assertThat(Tables.entityCounts(jdbc)).isEqualTo("0/0/0/0/0/0");
        assertThat(jdbc.queryForObject("SELECT outcome || ':' || http_status FROM webhook_requests", String.class))
                .isEqualTo("rejected:" + status);
    }

    @Test
    void aHugeIndexIsJustAKeyNotAnAllocation() {
        Answer answer = client.postSigned(form().account().item("leads[add][99999999999]", "id", "1", "name", "x").bytes());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("stored")).isEqualTo(1);
    }

    @Test
    void prototypeLikeKeysAreOrdinaryData() {
        Answer answer = client.postSigned(form().account()
                .item("leads[add][0]", "id", "11", "__proto__[polluted]", "yes", "constructor", "x", "name", "ok").bytes());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT payload->'__proto__'->>'polluted' FROM amo_leads", String.class))
                .isEqualTo("yes");
    }

    @Test
    void sqlInValuesIsStoredVerbatim() {
        String evil = "x'); DROP TABLE amo_leads; -- \" ; SELECT pg_sleep(10) :#id ${header.amoEntity}";
        Answer answer = client.postSigned(form().account().item("leads[add][0]", "id", "12", "name", evil).bytes());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.took()).isLessThan(Duration.ofSeconds(5));
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 12", String.class)).isEqualTo(evil);
    }

    @Test
    void aFormFieldNamedLikeTheSignatureHeaderCannotSpoofIt() {
        byte[] body = form().account().item("leads[add][0]", "id", "13").add("X-Signature", "whatever").bytes();
        String signatureOfOtherBody = HmacSha256.signHex(WebhookServerTest.SECRET, sample("leads-add.form"));
        byte[] spoof = (new String(body, StandardCharsets.US_ASCII) + "&X-Signature=" + signatureOfOtherBody)
                .getBytes(StandardCharsets.US_ASCII);

        Answer unsigned = client.post("/api/webhooks/amo", spoof, WebhookClient.FORM, null, null);
        Answer querySpoof = client.post("/api/webhooks/amo?X-Signature=" + signatureOfOtherBody, spoof,
                WebhookClient.FORM, null, null);

        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(querySpoof.status()).isEqualTo(401);
        assertThat(Tables.count(jdbc, "amo_leads")).isZero();
    }

    @Test
    void aWrongContentTypeIs400() {
        byte[] body = sample("leads-add.form");
        Answer answer = client.post("/api/webhooks/amo", body, "text/plain",
                HmacSha256.signHex(WebhookServerTest.SECRET, body), null);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("code").asText()).isEqualTo("not_a_form");
    }

    @Test
    void aWrongMethodIs405() {
        Answer get = client.get("/api/webhooks/amo");
        Answer put = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/webhooks/amo"))
                .PUT(HttpRequest.BodyPublishers.ofString("a=1")).header("Content-Type", WebhookClient.FORM).build());

        assertThat(get.status()).isEqualTo(405);
        assertThat(put.status()).isEqualTo(405);
        assertThat(get.json().path("error").asText()).isEqualTo("Method Not Allowed");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/webhooks/amo HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + WebhookClient.FORM
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = "a=".concat("b".repeat(65_534)).getBytes(StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 40; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException serverClosedEarly) {
                // the server may stop reading once the limit is passed; its answer is still there to read
            }
            String response = readAll(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(response).contains("\"code\":\"body_too_large\"");
        }
        assertThat(Tables.entityCounts(jdbc)).isEqualTo("0/0/0/0/0/0");
    }

    @Test
    void aValidRequestAfterAllThatStillWorks() {
        hostileBodies().forEach(args -> client.postSigned((byte[]) args.get()[1]));
        assertThat(client.postSigned(sample("leads-add.form")).count("stored")).isEqualTo(1);
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            in.transferTo(buffer);
        } catch (IOException reset) {
            // a reset after the answer was sent still leaves the answer in the buffer
        }
        return buffer.toString(StandardCharsets.US_ASCII);
    }
}
