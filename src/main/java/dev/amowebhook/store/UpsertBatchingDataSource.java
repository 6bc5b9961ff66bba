package dev.amowebhook.store;

import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The server's DataSource: the pool's connections, each able to batch a bulk request's upserts ({@link UpsertBatch}).
 * It counts the upserts its batches sent, for {@code amocrm_webhook_batched_upserts_total}.
 */
public class UpsertBatchingDataSource extends DelegatingDataSource implements Closeable, UpsertBatch.Tally {

    private final LongAdder stored = new LongAdder();
    private final LongAdder retried = new LongAdder();

    public UpsertBatchingDataSource(DataSource pool) {
        super(pool);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return UpsertBatch.wrap(super.getConnection(), this);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return UpsertBatch.wrap(super.getConnection(username, password), this);
    }

    @Override
    public void sent(int upserts, boolean allStored) {
        (allStored ? stored : retried).add(upserts);
    }

    /** Upserts sent in batches that stored every one of them. */
    public double storedInBatches() {
        return stored.sum();
    }

    /** Upserts sent in batches that met a stale or failing one: their requests were stored again event by event. */
    public double retriedEventByEvent() {
        return retried.sum();
    }

    /** Closes the pool with the application context. */
    @Override
    public void close() throws IOException {
        if (getTargetDataSource() instanceof Closeable pool) {
            pool.close();
        }
    }
}
