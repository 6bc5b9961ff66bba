package dev.amowebhook.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed reads of an event's string fields: missing or empty is null, present but wrong is an error naming the field. */
class EventFieldsTest {

    private static EventFields fields(Object... pairs) {
        Map<String, Object> data = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            data.put((String) pairs[i], pairs[i + 1]);
        }
        return new EventFields(data);
    }

    @Test
    void textIsNullWhenMissingEmptyOrNotAString() {
        EventFields f = fields("name", "Deal", "empty", "", "nested", Map.of("a", "b"), "blank", " ");

        assertThat(f.text("name")).isEqualTo("Deal");
        assertThat(f.text("missing")).isNull();
        assertThat(f.text("empty")).isNull();
        assertThat(f.text("nested")).isNull();
        assertThat(f.text("blank")).isEqualTo(" ");
    }

    @Test
    void hasTellsAFieldSentEmptyFromAMissingOne() {
        EventFields f = fields("price", "");

        assertThat(f.has("price")).isTrue();
        assertThat(f.has("name")).isFalse();
        assertThat(f.hasAny("name", "price")).isTrue();
        assertThat(f.hasAny("name", "status_id")).isFalse();
        assertThat(f.hasAny()).isFalse();
    }

    @Test
    void nodeReturnsNestedStructuresAsTheyAre() {
        Map<String, Object> tags = Map.of("0", Map.of("name", "vip"));

        assertThat(fields("tags", tags).node("tags")).isSameAs(tags);
        assertThat(fields().node("tags")).isNull();
    }

    @Test
    void wholeNumbersAreParsedAndTrimmed() {
        EventFields f = fields("id", "24567891", "padded", " 42 ", "negative", "-7", "big", "9223372036854775807",
                "empty", "");

        assertThat(f.number("id")).isEqualTo(24567891L);
        assertThat(f.number("padded")).isEqualTo(42L);
        assertThat(f.number("negative")).isEqualTo(-7L);
        assertThat(f.number("big")).isEqualTo(Long.MAX_VALUE);
        assertThat(f.number("empty")).isNull();
        assertThat(f.number("missing")).isNull();
    }

    @Test
    void aNonNumericIdIsAnInvalidEventNamingTheField() {
        assertThatThrownBy(() -> fields("id", "abc").number("id"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'id'")
                .hasMessageContaining("abc");
        assertThatThrownBy(() -> fields("id", "12.5").number("id")).isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> fields("id", "99999999999999999999").number("id"))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void invalidValuesAreAbbreviatedInTheMessage() {
        String longValue = "x".repeat(500);

        assertThatThrownBy(() -> fields("id", longValue).number("id"))
                .isInstanceOf(InvalidEventException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(120).contains("..."));
    }

    @Test
    void decimalsAcceptSpacesNbspAndDecimalComma() {
        EventFields f = fields("plain", "12500", "spaced", "12 500,50", "nbsp", "1\u00A0000\u202F000", "dot", "99.90",
                "empty", "");

        assertThat(f.decimal("plain")).isEqualByComparingTo("12500");
        assertThat(f.decimal("spaced")).isEqualByComparingTo(new BigDecimal("12500.50"));
        assertThat(f.decimal("nbsp")).isEqualByComparingTo("1000000");
        assertThat(f.decimal("dot")).isEqualByComparingTo("99.90");
        assertThat(f.decimal("empty")).isNull();
        assertThat(f.decimal("missing")).isNull();
    }

    @Test
    void aPriceThatIsNotANumberIsAnInvalidEvent() {
        assertThatThrownBy(() -> fields("price", "free").decimal("price"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'price'");
    }

    @Test
    void unixSecondsBecomeUtcTimes() {
        EventFields f = fields("created_at", "1732608015", "zero", "0", "negative", "-5");

        assertThat(f.time("created_at")).isEqualTo(OffsetDateTime.of(2024, 11, 26, 8, 0, 15, 0, ZoneOffset.UTC));
        assertThat(f.time("zero")).isNull();
        assertThat(f.time("negative")).isNull();
        assertThat(f.time("missing")).isNull();
    }

    @Test
    void aNoteLocalTimeStringReadsAsNoTime() {
        EventFields f = fields("date_create", "2024-11-26 14:32:10", "timestamp_x", "2024-11-26T14:32",
                "created_at", "1732608015");

        assertThat(f.time("date_create")).isNull();
        assertThat(f.time("timestamp_x")).isNull();
        assertThat(f.firstTime("date_create", "created_at"))
                .isEqualTo(OffsetDateTime.of(2024, 11, 26, 8, 0, 15, 0, ZoneOffset.UTC));
    }

    @Test
    void aTimeThatIsNeitherUnixSecondsNorALocalTimeIsAnInvalidEvent() {
        assertThatThrownBy(() -> fields("updated_at", "yesterday").time("updated_at"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'updated_at'");
        assertThatThrownBy(() -> fields("updated_at", "26.11.2024").time("updated_at"))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> fields("updated_at", "1732608015000").time("updated_at"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("unix time");
    }

    @Test
    void flagsAcceptTheWaysAmoCrmWritesBooleans() {
        EventFields f = fields("a", "1", "b", "0", "c", "Y", "d", "false", "e", " TRUE ", "empty", "");

        assertThat(f.flag("a")).isTrue();
        assertThat(f.flag("b")).isFalse();
        assertThat(f.flag("c")).isTrue();
        assertThat(f.flag("d")).isFalse();
        assertThat(f.flag("e")).isTrue();
        assertThat(f.flag("empty")).isNull();
        assertThat(f.flag("missing")).isNull();
        assertThatThrownBy(() -> fields("is_read", "maybe").flag("is_read"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'is_read'");
    }

    @Test
    void firstTimeTakesTheFirstKeyThatHoldsATime() {
        EventFields f = fields("updated_at", "", "last_modified", "1732611600", "created_at", "1732608015");

        assertThat(f.firstTime("updated_at", "last_modified"))
                .isEqualTo(OffsetDateTime.of(2024, 11, 26, 9, 0, 0, 0, ZoneOffset.UTC));
        assertThat(f.firstTime("created_at", "last_modified"))
                .isEqualTo(OffsetDateTime.of(2024, 11, 26, 8, 0, 15, 0, ZoneOffset.UTC));
        assertThat(f.firstTime("nothing", "none")).isNull();
    }
}
