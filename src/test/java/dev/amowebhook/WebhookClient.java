package dev.amowebhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.verify.HmacSha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Posts webhook bodies to the running server over real HTTP, signed like a signing proxy would. */
public final class WebhookClient {

    public static final String FORM = "application/x-www-form-urlencoded";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String base;

    public WebhookClient(int port) {
        this.base = "http://localhost:" + port;
    }

    /** A wire-exact sample body from {@code samples/}. */
    public static byte[] sample(String name) {
        try {
            return Files.readAllBytes(Path.of("samples", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] utf8(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    public Answer postSigned(byte[] body) {
        return post("/api/webhooks/amo", body, FORM, HmacSha256.signHex(WebhookServerTest.SECRET, body), null);
    }

    public Answer postSigned(byte[] body, String amoRequestId) {
        return post("/api/webhooks/amo", body, FORM, HmacSha256.signHex(WebhookServerTest.SECRET, body), amoRequestId);
    }

    public Answer post(String path, byte[] body, String contentType, String signature, String amoRequestId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (signature != null) {
            request.header("X-Signature", signature);
        }
        if (amoRequestId != null) {
            request.header("X-Amocrm-Requestid", amoRequestId);
        }
        return send(request.build());
    }

    public Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    public Answer send(HttpRequest request) {
        try {
            long start = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), response.headers().firstValue("Content-Type").orElse(""),
                    response.headers(),
                    Duration.ofNanos(System.nanoTime() - start), mapper);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record Answer(int status, String body, String contentType, HttpHeaders headers, Duration took,
                         ObjectMapper mapper) {

        public JsonNode json() {
            try {
                return mapper.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("answer is not JSON: " + body, e);
            }
        }

        public int count(String field) {
            return json().path(field).asInt(-1);
        }
    }
}
