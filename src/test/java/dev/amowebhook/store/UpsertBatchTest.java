package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amowebhook.WebhookServerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The server's connections hold a bulk request's upserts back and send them as one batch, on PostgreSQL. */
@WebhookServerTest
class UpsertBatchTest {

    static final String UPSERT = """
            INSERT INTO upsert_batch_test AS t (id, v)
            SELECT ?, ?
            ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v
            WHERE EXCLUDED.v > t.v""";

    @Autowired
    DataSource dataSource;

    Connection connection;
    UpsertBatch batch;
    int pid;

    @BeforeEach
    void setUp() throws Exception {
        connection = dataSource.getConnection();
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("DROP TABLE IF EXISTS upsert_batch_test");
            ddl.execute("CREATE TABLE upsert_batch_test (id bigint PRIMARY KEY, v int NOT NULL)");
        }
        connection.setAutoCommit(false);
        batch = UpsertBatch.of(connection);
        pid = connection.unwrap(org.postgresql.PGConnection.class).getBackendPID();
    }

    @AfterEach
    void tearDown() throws Exception {
        connection.rollback();
        connection.setAutoCommit(true);
        try (Statement ddl = connection.createStatement()) {
            ddl.execute("DROP TABLE upsert_batch_test");
        }
        connection.close();
    }

    @Test
    void upsertsAreHeldUntilSentThenAppliedInTheOrderTheyCame() throws Exception {
        batch.open();
        assertThat(upsert(1, 10)).as("reported as stored while held").isEqualTo(1);
        upsert(2, 10);
        upsert(1, 20);

        assertThat(batch.held()).isEqualTo(3);
        assertThat(writeLocksOfThisTransaction()).isEmpty();

        batch.close();
        assertThat(batch.held()).isZero();
        assertThat(rows()).containsExactly("1=20", "2=10");
        assertThat(upsert(3, 1)).as("closed: executed at once").isEqualTo(1);
        assertThat(batch.held()).isZero();
    }

    @Test
    void anyOtherStatementSendsTheHeldUpsertsFirst() throws Exception {
        batch.open();
        upsert(1, 10);
        upsert(2, 10);

        assertThat(rows()).as("a query on the connection sees them").containsExactly("1=10", "2=10");
        assertThat(batch.held()).isZero();
    }

    @Test
    void aStaleUpsertMakesTheSendingFail() throws Exception {
        upsert(2, 50);
        batch.open();
        upsert(1, 10);
        assertThat(upsert(2, 10)).as("stale, but not known until sent").isEqualTo(1);
        upsert(3, 10);

        assertThatThrownBy(batch::close).isInstanceOf(UpsertBatch.SendFailedException.class)
                .hasMessageContaining("upsert 2 of a batch of 3 changed 0 rows");
    }

    @Test
    void aFailedSendingIsKeptSoNothingCommitsAfterItEvenIfCaught() throws Exception {
        upsert(2, 50);
        connection.commit();
        batch.open();
        upsert(1, 10);
        upsert(2, 10);

        assertThatThrownBy(this::rows).as("sent by the next statement").isInstanceOf(UpsertBatch.SendFailedException.class);
        upsert(3, 10);
        assertThatThrownBy(connection::commit).isInstanceOf(UpsertBatch.SendFailedException.class);

        assertThat(rows()).as("rolled back, not committed").containsExactly("2=50");
        batch.close();
    }

    @Test
    void theCommitSendsWhatIsHeldAndARejectedBatchRollsTheTransactionBack() throws Exception {
        batch.open();
        upsert(1, 10);
        upsert(2, 10);
        connection.commit();
        assertThat(committedRows()).containsExactly("1=10", "2=10");

        upsert(1, 20);
        upsert(2, 5);
        assertThatThrownBy(connection::commit).isInstanceOf(UpsertBatch.SendFailedException.class)
                .hasMessageContaining("upsert 2 of a batch of 2");
        assertThat(committedRows()).containsExactly("1=10", "2=10");
        assertThat(rows()).as("this connection's transaction was rolled back too").containsExactly("1=10", "2=10");
    }

    @Test
    void aRollbackToASavepointDropsWhatWasHeldAfterIt() throws Exception {
        batch.open();
        upsert(1, 10);
        var savepoint = connection.setSavepoint();
        assertThat(batch.held()).as("a savepoint sends first").isZero();
        upsert(2, 10);
        connection.rollback(savepoint);

        assertThat(batch.held()).isZero();
        batch.close();
        assertThat(rows()).containsExactly("1=10");
    }

    @Test
    void aHeldStatementUsedOtherwiseThanCamelSqlDoesRunsOnItsOwn() throws Exception {
        batch.open();
        upsert(1, 10);
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setLong(1, 2);
            statement.setInt(2, 10);
            statement.addBatch();
            assertThat(statement.executeBatch()).containsExactly(1);
        }
        assertThat(batch.held()).isZero();
        assertThat(rows()).containsExactly("1=10", "2=10");
    }

    @Test
    void aHeldUpsertHasOneResultItsCount() throws Exception {
        batch.open();
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setLong(1, 1);
            statement.setInt(2, 10);
            assertThat(statement.execute()).isFalse();
            assertThat(statement.getUpdateCount()).isEqualTo(1);
            assertThat(statement.getMoreResults()).isFalse();
            assertThat(statement.getUpdateCount()).as("no more results").isEqualTo(-1);
        }
        assertThat(batch.held()).isEqualTo(1);
    }

    @Test
    void aFailingUpsertMakesTheSendingFail() throws Exception {
        batch.open();
        upsert(1, 10);
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setLong(1, 2);
            statement.setNull(2, java.sql.Types.INTEGER);
            statement.execute();
        }
        assertThatThrownBy(batch::close).isInstanceOf(UpsertBatch.SendFailedException.class)
                .hasMessageContaining("a batch of 2 upserts failed").hasMessageContaining("null value");
    }

    @Test
    void aRollbackDropsWhatIsHeld() throws Exception {
        batch.open();
        upsert(1, 10);
        connection.rollback();

        assertThat(batch.held()).isZero();
        batch.close();
        assertThat(rows()).isEmpty();
    }

    @Test
    void withoutOpeningAnUpsertRunsAtOnceWithItsRealCount() throws Exception {
        upsert(1, 10);
        assertThat(batch.held()).isZero();
        assertThat(upsert(1, 5)).as("stale: no row changed").isZero();
    }

    @Test
    void exactlyTheStoreRoutesUpsertsAreHeld() throws Exception {
        List<String> held = new ArrayList<>();
        try (var files = Files.list(Path.of("src/main/resources/sql"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                if (UpsertBatch.isUpsert(Files.readString(file))) {
                    held.add(file.getFileName().toString().replace(".sql", ""));
                }
            }
        }
        assertThat(held).containsExactlyInAnyOrder("company-delete", "company-upsert", "contact-delete",
                "contact-upsert", "customer-delete", "customer-upsert", "lead-delete", "lead-upsert", "note-upsert",
                "talk-upsert", "task-delete", "task-upsert", "unsorted-decide", "unsorted-upsert");
        for (String file : List.of("lead-status-change-insert", "webhook-request-insert", "message-insert")) {
            assertThat(UpsertBatch.isUpsert(sql(file))).as(file + ": its count is not an outcome").isFalse();
        }
        assertThat(UpsertBatch.isUpsert(UPSERT + " RETURNING id")).isFalse();
        assertThat(UpsertBatch.isUpsert(UPSERT + "; SELECT 1")).isFalse();
    }

    private int upsert(long id, int v) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setLong(1, id);
            statement.setInt(2, v);
            statement.execute();
            return statement.getUpdateCount();
        }
    }

    /** What another connection sees: committed rows only. */
    private List<String> committedRows() throws Exception {
        try (Connection other = dataSource.getConnection()) {
            return rows(other);
        }
    }

    private List<String> rows() throws Exception {
        return rows(connection);
    }

    private static List<String> rows(Connection connection) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement query = connection.createStatement();
                ResultSet row = query.executeQuery("SELECT id, v FROM upsert_batch_test ORDER BY id")) {
            while (row.next()) {
                rows.add(row.getLong(1) + "=" + row.getInt(2));
            }
        }
        return rows;
    }

    /** A transaction holds its transaction id lock from its first write on: none while the upserts are held. */
    private List<String> writeLocksOfThisTransaction() throws Exception {
        List<String> locks = new ArrayList<>();
        try (Connection other = dataSource.getConnection();
                PreparedStatement query = other.prepareStatement(
                        "SELECT mode FROM pg_locks WHERE pid = ? AND locktype = 'transactionid'")) {
            query.setInt(1, pid);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    locks.add(row.getString(1));
                }
            }
        }
        return locks;
    }

    private static String sql(String file) throws Exception {
        return Files.readString(Path.of("src/main/resources/sql", file + ".sql"));
    }
}
