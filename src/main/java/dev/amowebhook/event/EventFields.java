package dev.amowebhook.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Typed, forgiving reads of an event's string fields: a missing or empty field is null, a field that is present
 * but cannot be what it should be is an {@link InvalidEventException} naming it (the event is then dead-lettered
 * with its payload rather than stored wrong).
 */
public final class EventFields {

    private static final Pattern LOCAL_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2})?");
    /** Grouping in prices as accounts format them: spaces, no-break and narrow no-break spaces. */
    private static final Pattern GROUPING = Pattern.compile("[\\s\\u00A0\\u202F]");

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
        String cleaned = GROUPING.matcher(value).replaceAll("").replace(',', '.');
        try {
            return new BigDecimal(cleaned);
        } catch (NumberFormatException e) {
            throw new InvalidEventException("field '" + key + "' is not a number: '" + abbreviate(value) + "'");
        }
    }

    /**
     * A unix time in seconds (how amoCRM sends {@code created_at}, {@code updated_at}, {@code last_modified}).
     * Notes send {@code date_create} as a local-time string in the account's unknown time zone: that is no
     * usable instant, so it reads as absent rather than as an error.
     */
    public OffsetDateTime time(String key) {
        String text = text(key);
        // a unix time (the usual case) has no '-' where a local date-time has its first one: no regex for it
        if (text != null && text.length() > 4 && text.charAt(4) == '-' && LOCAL_TIME.matcher(text).matches()) {
            return null;
        }
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

    /** {@code 1}, {@code true}, {@code Y} (amoCRM writes booleans in several ways); absent or empty is null. */
    public Boolean flag(String key) {
        String value = text(key);
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "true", "y", "yes", "on" -> true;
            case "0", "false", "n", "no", "off" -> false;
            default -> throw new InvalidEventException("field '" + key + "' is not a yes/no value: '" + abbreviate(value) + "'");
        };
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
