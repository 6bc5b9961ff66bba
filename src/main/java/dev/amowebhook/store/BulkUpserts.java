package dev.amowebhook.store;

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
 * The two split-events steps around a request's events: in the fast attempt of a request with several events,
 * their upserts are batched on the request's connection ({@link UpsertBatch}) and sent together after the last one.
 * An upsert of the batch that was stale or failed fails the fast attempt: the request is stored again event by
 * event, with real outcomes.
 */
public class BulkUpserts {

    private static final Logger log = LoggerFactory.getLogger(BulkUpserts.class);

    private final DataSource dataSource;

    public BulkUpserts(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Before the events: batches their upserts when the body holds several and the attempt is the fast one. */
    public void open(Exchange exchange) throws SQLException {
        if (Boolean.TRUE.equals(exchange.getProperty(TransactionBoundaries.FAST_MODE))
                && exchange.getMessage().getBody() instanceof List<?> events && events.size() > 1) {
            UpsertBatch batch = batch();
            if (batch != null) {
                batch.open();
            }
        }
    }

    /** After the events: sends the batch; a stale or failed upsert asks for the attempt event by event. */
    public void send(Exchange exchange) throws SQLException {
        UpsertBatch batch = batch();
        if (batch == null) {
            return;
        }
        if (batch.held() > 0 && log.isDebugEnabled()) {
            log.debug("sending {} batched upserts", batch.held());
        }
        try {
            batch.close();
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
