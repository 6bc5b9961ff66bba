package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class TransientRetriesTest {

    private final TransientRetries retries = new TransientRetries(3, 50, 2);

    @Test
    void lostConnectionsDeadlocksAndSerializationFailuresAreTransientAlsoWhenWrapped() {
        assertThat(retries.isTransient(new TransientDataAccessResourceException("connection reset"))).isTrue();
        assertThat(retries.isTransient(new CannotAcquireLockException("deadlock detected"))).isTrue();
        assertThat(retries.isTransient(new RecoverableDataAccessException("recovered"))).isTrue();
        assertThat(retries.isTransient(new DataAccessResourceFailureException("I/O error"))).isTrue();
        assertThat(retries.isTransient(new CamelExecutionException("wrapped", null,
                new CannotAcquireLockException("could not serialize access")))).isTrue();
    }

    @Test
    void noConnectionAtAllAndPermanentErrorsAreNotRetried() {
        assertThat(retries.isTransient(new CannotGetJdbcConnectionException("pool empty", new SQLException()))).isFalse();
        assertThat(retries.isTransient(new DataIntegrityViolationException("value too long"))).isFalse();
        assertThat(retries.isTransient(new IllegalStateException("bug"))).isFalse();
        assertThat(retries.isTransient(null)).isFalse();
    }

    @Test
    void theDelaysGrowByTheMultiplier() {
        assertThat(retries.delayBefore(1)).isEqualTo(50);
        assertThat(retries.delayBefore(2)).isEqualTo(100);
        assertThat(retries.delayBefore(3)).isEqualTo(200);
        assertThat(new TransientRetries(2, 0, 1).delayBefore(2)).isZero();
    }

    @Test
    void settingsThatCannotWorkAreRefusedAtStart() {
        assertThatThrownBy(() -> new TransientRetries(-1, 50, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransientRetries(3, -5, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TransientRetries(3, 50, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
