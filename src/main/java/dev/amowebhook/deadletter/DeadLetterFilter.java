package dev.amowebhook.deadletter;

import java.time.OffsetDateTime;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;

/**
 * What an operator narrows dead letters down by; every part is optional.
 *
 * @param error matched case-insensitively against the error class, message and root cause
 * @param since last failure at or after
 * @param until last failure before
 */
public record DeadLetterFilter(String status, String entity, String action, String error,
                               OffsetDateTime since, OffsetDateTime until) {

    MapSqlParameterSource parameters() {
        return new MapSqlParameterSource()
                .addValue("status", blankToNull(status))
                .addValue("entity", blankToNull(entity))
                .addValue("action", blankToNull(action))
                .addValue("error", blankToNull(error))
                .addValue("since", since)
                .addValue("until", until);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }
}
