package dev.amowebhook.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Typed, forgiving reads of an event's string fields: a missing or empty field is null, a field that is present
 * but cannot be what it should be is an {@link InvalidEventException} naming it (the event is then dead-lettered
 * with its payload rather than stored wrong).
 */
public final class EventFields {

    private final Map<String, Object> data;

    public EventFields(Map<String, Object> data) {
        this.data = data;
    }

    public boolean has(String key) {
        return data.containsKey(key);
    }

    public Object node(String key) {
        return data.get(key);
    }

    public String text(String key) {
        return data.get(key) instanceof String s && !s.isEmpty() ? s : null;
    }

    public Long number(String key) {
        String value = text(key);
        if (value == null) {
            return null;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidEventException("field '" + key + "' is not a whole number: '" + abbreviate(value) + "'");
        }
    }

    public BigDecimal decimal(String key) {
        String value = text(key);
        if (value == null) {
            return null;
        }
        String cleaned = value.replaceAll("[\\s\\u00A0\\u202F]", "").replace(',', '.');
        try {
            return new BigDecimal(cleaned);
        } catch (NumberFormatException e) {
            throw new InvalidEventException("field '" + key + "' is not a number: '" + abbreviate(value) + "'");
        }
    }

    /** A unix time in seconds (how amoCRM sends {@code created_at}, {@code updated_at}, {@code last_modified}). */
    public OffsetDateTime time(String key) {
        Long seconds = number(key);
        if (seconds == null || seconds <= 0) {
            return null;
        }
        if (seconds > 32503680000L) {
            throw new InvalidEventException("field '" + key + "' is not a unix time: '" + seconds + "'");
        }
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
    }

    /** The first of the keys that holds a time: amoCRM's newer names first, then the API v2 ones. */
    public OffsetDateTime firstTime(String... keys) {
        for (String key : keys) {
            OffsetDateTime value = time(key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    public boolean hasAny(String... keys) {
        for (String key : keys) {
            if (has(key)) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String value) {
        return value.length() > 40 ? value.substring(0, 40) + "..." : value;
    }
}
