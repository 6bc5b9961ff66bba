package dev.amowebhook.store;

import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The server's DataSource: the pool's connections, each able to hold a request's upserts and journal rows and send
 * them together ({@link UpsertBatch}). It counts those sendings, their upserts and all their writes, for
 * {@code amocrm_webhook_upsert_batches_total}, {@code amocrm_webhook_batched_upserts_total} and
 * {@code amocrm_webhook_held_writes_total}.
 */
public class UpsertBatchingDataSource extends DelegatingDataSource implements Closeable, UpsertBatch.Tally {

    private final LongAdder stored = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder storedBatches = new LongAdder();
    private final LongAdder retriedBatches = new LongAdder();
    private final LongAdder storedWrites = new LongAdder();
    private final LongAdder retriedWrites = new LongAdder();

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
    public void sent(int upserts, int writes, boolean batchStored) {
        if (upserts > 0) {
            (batchStored ? stored : retried).add(upserts);
            (batchStored ? storedBatches : retriedBatches).increment();
        }
        (batchStored ? storedWrites : retriedWrites).add(writes);
    }

    /** Upserts of committed batches. */
    public double upsertsStored() {
        return stored.sum();
    }

    /** Upserts of batches that met a stale or failing one: their requests were stored again event by event. */
    public double upsertsRetried() {
        return retried.sum();
    }

    public double batchesStored() {
        return storedBatches.sum();
    }

    public double batchesRetried() {
        return retriedBatches.sum();
    }

    /** Writes (upserts and journal rows) held and sent together, then committed. */
    public double writesStored() {
        return storedWrites.sum();
    }

    /** Writes held and sent together whose request was then stored again event by event. */
    public double writesRetried() {
        return retriedWrites.sum();
    }

    /** Closes the pool with the application context. */
    @Override
    public void close() throws IOException {
        if (getTargetDataSource() instanceof Closeable pool) {
            pool.close();
        }
    }
}
