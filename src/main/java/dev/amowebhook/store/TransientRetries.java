package dev.amowebhook.store;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/**
 * How an event is tried again after a transient database error (lost connection, deadlock, serialization
 * failure): {@code retries} more times, the first after {@code delayMs}, each next one {@code multiplier} times
 * later ({@code amocrm.dead-letter.*}: 3 retries at 50, 100, 200 ms stay inside amoCRM's ~2 s). Other errors are
 * not retried, and neither is a database that gives no connection at all: the request then fails fast.
 */
public record TransientRetries(int retries, long delayMs, double multiplier) {

    public TransientRetries {
        if (retries < 0 || delayMs < 0 || multiplier < 1) {
            throw new IllegalArgumentException("transient retries need retries >= 0, a delay >= 0 and a multiplier"
                    + " >= 1, got " + retries + ", " + delayMs + " ms, " + multiplier);
        }
    }

    /** Whether the failure (or one of its causes) is worth another attempt. */
    public boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CannotGetJdbcConnectionException) {
                return false;
            }
            if (t instanceof TransientDataAccessException || t instanceof RecoverableDataAccessException
                    || t instanceof DataAccessResourceFailureException) {
                return true;
            }
        }
        return false;
    }

    /** The wait before retry number {@code retry} (1 for the first). */
    public long delayBefore(int retry) {
        return Math.round(delayMs * Math.pow(multiplier, retry - 1));
    }
}
