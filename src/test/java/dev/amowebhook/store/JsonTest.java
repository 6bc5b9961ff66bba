package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.amowebhook.parse.FormTreeParser;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The streaming writer must write exactly what Jackson's data binding writes. */
class JsonTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
    private final Json json = new Json(mapper);

    @Test
    void writesEveryPayloadTreeAsDataBindingDoes() throws Exception {
        List<Path> samples = samples();
        assertThat(samples).isNotEmpty();
        FormTreeParser parser = new FormTreeParser(10_000, 32);
        for (Path sample : samples) {
            Map<String, Object> tree = parser.parse(Files.readAllBytes(sample));
            assertThat(json.write(tree)).as(sample.toString()).isEqualTo(mapper.writeValueAsString(tree));
        }
    }

    @Test
    void writesScalarsEscapesAndOtherTypesAsDataBindingDoes() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t control \u0001 cyrillic доставка emoji \uD83D\uDE00");
        value.put("long", 9_007_199_254_740_993L);
        value.put("int", -7);
        value.put("decimal", new BigDecimal("150000.50"));
        value.put("double", 0.1);
        value.put("flag", true);
        value.put("nothing", null);
        value.put("list", Arrays.asList("a", 1L, null, List.of(Map.of("k", "v"))));
        value.put("empty", Map.of());
        value.put("instant", Instant.parse("2024-11-26T06:00:00Z"));
        assertThat(json.write(value)).isEqualTo(mapper.writeValueAsString(value));
        assertThat(json.write(List.of())).isEqualTo("[]");
        assertThat(json.write(null)).isNull();
    }

    @Test
    void failsClearlyOnWhatJsonCannotHold() {
        assertThatThrownBy(() -> json.write(Map.of("x", new Object())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot write JSON");
    }

    private static List<Path> samples() throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> found = Files.list(Path.of("samples"))) {
            found.filter(p -> p.toString().endsWith(".txt") || p.toString().endsWith(".form")).sorted().forEach(files::add);
        }
        return files;
    }
}
