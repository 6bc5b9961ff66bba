package dev.amowebhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;
import org.springframework.dao.CannotAcquireLockException;

class WebhookAnswersTest {

    @Test
    void theDedupeFunctionsAdvisoryWaitIsADeliveryInProgress() {
        PSQLException timeout = lockTimeout("PL/pgSQL function amo_find_delivered(text,text,bigint) line 12 at PERFORM");

        assertThat(WebhookAnswers.dedupeLockTimedOut(timeout)).isTrue();
        assertThat(WebhookAnswers.dedupeLockTimedOut(new CannotAcquireLockException("lookup", timeout)))
                .as("as Spring wraps it").isTrue();
    }

    @Test
    void otherLockTimeoutsAndOtherErrorsAreNot() {
        assertThat(WebhookAnswers.dedupeLockTimedOut(
                lockTimeout("PL/pgSQL function amo_find_delivered(text,text,bigint) line 17 at SQL statement")))
                .as("the function's lookup waiting for a table held by DDL").isFalse();
        assertThat(WebhookAnswers.dedupeLockTimedOut(lockTimeout(null))).as("an operator's lock_timeout").isFalse();
        assertThat(WebhookAnswers.dedupeLockTimedOut(new SQLException("connection refused", "08001"))).isFalse();
        assertThat(WebhookAnswers.dedupeLockTimedOut(null)).isFalse();
    }

    private static PSQLException lockTimeout(String where) {
        return new PSQLException(new ServerErrorMessage("SERROR\0C55P03\0Mcanceling statement due to lock timeout\0"
                + (where == null ? "" : "W" + where + "\0")));
    }
}
