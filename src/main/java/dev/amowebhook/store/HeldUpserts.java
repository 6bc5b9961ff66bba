package dev.amowebhook.store;

import dev.amowebhook.event.EventTally;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The two split-events steps around a request's events: in a request's fast attempt, their upserts are held on the
 * request's connection ({@link UpsertBatch}). After the last event, several are sent together at once, as one JDBC
 * batch; a single one stays held with the request's journal rows, and all go to PostgreSQL in one round trip when the
 * transaction commits. An upsert that was stale or failed fails the fast attempt: the request is stored again event by
 * event, with real outcomes.
 */
public class HeldUpserts {

    private static final Logger log = LoggerFactory.getLogger(HeldUpserts.class);

    private final DataSource dataSource;

    public HeldUpserts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Before the events: holds their upserts back when the attempt is the fast one. */
    public void open(Exchange exchange) throws SQLException {
        if (Boolean.TRUE.equals(exchange.getProperty(TransactionBoundaries.FAST_MODE))
                && exchange.getMessage().getBody() instanceof List<?> events && !events.isEmpty()) {
            UpsertBatch batch = batch();
            if (batch != null) {
                batch.open();
            }
        }
    }

    /**
     * After the events: sends a bulk request's held upserts now, or keeps a single event's held with the journal rows
     * until the commit; a stale or failed upsert asks for the attempt event by event.
     */
    public void send(Exchange exchange) throws SQLException {
        UpsertBatch batch = batch();
        if (batch == null) {
            return;
        }
        if (batch.held() > 1 && log.isDebugEnabled()) {
            log.debug("sending {} batched upserts", batch.held());
        }
        try {
            // the split leaves its tally as the body: one event counted is a single-event request
            boolean single = exchange.getMessage().getBody() instanceof EventTally tally && tally.events() == 1;
            if (single && Boolean.TRUE.equals(exchange.getProperty(TransactionBoundaries.FAST_MODE))) {
                batch.holdUntilCommit();
            } else {
                batch.close();
            }
        } catch (Exception e) {
            throw new SavepointsNeededException(e);
        }
    }

    /** The batch of the request's connection, if the flow runs in a transaction on this server's DataSource. */
    private UpsertBatch batch() throws SQLException {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            return null;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            return UpsertBatch.of(connection);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }
}
