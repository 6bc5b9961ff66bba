package dev.amowebhook.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.FormBody;
import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.AmoWebhook;
import dev.amowebhook.event.EventSplitter;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.parse.FormTreeParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds events the way the flow does (parse, then split) and reads the JSON the mappers write. */
final class StoreTestSupport {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final UUID REQUEST_ID = UUID.fromString("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e");
    static final Instant RECEIVED_AT = Instant.parse("2024-11-26T10:15:30Z");

    private StoreTestSupport() {
    }

    static Json json() {
        return new Json(new ObjectMapper());
    }

    static InboundRequest request() {
        return new InboundRequest(REQUEST_ID, RECEIVED_AT, new byte[0], 0, false, "sha",
                "application/x-www-form-urlencoded", null, List.of(), null, null, "127.0.0.1");
    }

    static List<AmoEvent> events(byte[] body) {
        return new EventSplitter().split(AmoWebhook.of(new FormTreeParser(10_000, 32).parse(body)));
    }

    static AmoEvent event(FormBody body) {
        List<AmoEvent> events = events(body.bytes());
        if (events.size() != 1) {
            throw new IllegalStateException("expected one event, got " + events.size());
        }
        return events.get(0);
    }

    static AmoEvent sampleEvent(String name) {
        try {
            return events(Files.readAllBytes(Path.of("samples", name))).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> tree(FormBody body) {
        return new FormTreeParser(10_000, 32).parse(body.bytes());
    }

    static JsonNode readJson(Object text) {
        try {
            return MAPPER.readTree((String) text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> present(Map<String, Object> row) {
        String present = (String) row.get("present");
        return present.isEmpty() ? List.of() : List.of(present.split(","));
    }
}
