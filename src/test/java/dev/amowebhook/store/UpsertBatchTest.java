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
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.sql.SqlHelper;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The server's connections hold a request's upserts (and, until the commit, its journal rows) back and send them together, on PostgreSQL. */
@WebhookServerTest
class UpsertBatchTest {

    static final String UPSERT = """
            INSERT INTO upsert_batch_test AS t (id, v)
            SELECT ?, ?
            ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v
            WHERE EXCLUDED.v > t.v""";

    @Autowired
    DataSource dataSource;

    @Autowired
    CamelContext camel;

    Connection connection;
    UpsertBatch batch;
    /** Requests this test journaled (committed ones stay in the shared tables otherwise). */
    final List<UUID> journaled = new ArrayList<>();
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
        for (UUID request : journaled) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM webhook_events WHERE request_id = ?;"
                    + " DELETE FROM webhook_requests WHERE id = ?")) {
                delete.setObject(1, request);
                delete.setObject(2, request);
                delete.execute();
            }
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
                .hasMessageContaining("write 2 of 3 held (INSERT INTO upsert_batch_test").hasMessageContaining("changed 0 rows");
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

        assertThat(upsert(3, 1)).as("a commit ends the batch: executed at once").isEqualTo(1);
        assertThat(batch.held()).isZero();
        connection.rollback();

        batch.open();
        upsert(1, 20);
        upsert(2, 5);
        assertThatThrownBy(connection::commit).isInstanceOf(UpsertBatch.SendFailedException.class)
                .hasMessageContaining("write 2 of 2 held");
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
            statement.setLong(1, 3);
            statement.setInt(2, 10);
            statement.addBatch();
            assertThat(statement.executeBatch()).as("a batch of several rows").containsExactly(1, 1);
        }
        assertThat(batch.held()).isZero();
        assertThat(rows()).containsExactly("1=10", "2=10", "3=10");
    }

    @Test
    void aBatchOfOneRowIsHeldAsOneWrite() throws Exception {
        batch.open();
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setQueryTimeout(5);
            statement.setLong(1, 2);
            statement.setInt(2, 10);
            statement.addBatch();
            assertThat(statement.executeBatch()).as("camel-sql's batch=true with one row").containsExactly(1);
        }
        assertThat(batch.held()).isEqualTo(1);
        batch.close();
        assertThat(rows()).containsExactly("2=10");
    }

    @Test
    void heldUntilCommitTheUpsertAndTheJournalRowsReachTheDatabaseOnlyWithTheCommit() throws Exception {
        batch.open();
        upsert(1, 10);
        batch.holdUntilCommit();
        UUID request = UUID.randomUUID();
        assertThat(journalRequest(request)).as("reported as written while held").isEqualTo(1);
        assertThat(journalEvent(request, "stored")).containsExactly(1);

        assertThat(batch.held()).isEqualTo(3);
        assertThat(writeLocksOfThisTransaction()).as("nothing written yet").isEmpty();
        connection.commit();

        assertThat(committedRows()).containsExactly("1=10");
        assertThat(committedJournal(request)).containsExactly("accepted", "stored");
        assertThat(batch.held()).isZero();
        assertThat(upsert(1, 20)).as("the commit ended the batch: executed at once").isEqualTo(1);
    }

    @Test
    void heldUntilCommitAStaleUpsertRollsBackTheJournalRowsWithIt() throws Exception {
        upsert(1, 50);
        connection.commit();
        batch.open();
        assertThat(upsert(1, 10)).as("stale, but not known until sent").isEqualTo(1);
        batch.holdUntilCommit();
        UUID request = UUID.randomUUID();
        journalRequest(request);
        journalEvent(request, "stored");

        assertThatThrownBy(connection::commit).isInstanceOf(UpsertBatch.SendFailedException.class)
                .hasMessageContaining("write 1 of 3 held").hasMessageContaining("changed 0 rows");
        assertThat(committedRows()).containsExactly("1=50");
        assertThat(committedJournal(request)).as("the journal rows that said stored are gone too").isEmpty();
    }

    @Test
    void heldUntilCommitAJournalRowThatWroteNothingFailsTheCommit() throws Exception {
        UUID request = UUID.randomUUID();
        journalRequest(request);
        connection.commit();
        batch.holdUntilCommit();
        assertThat(journalRequest(request)).as("its id is taken: ON CONFLICT DO NOTHING, not known until sent")
                .isEqualTo(1);

        assertThatThrownBy(connection::commit).isInstanceOf(UpsertBatch.SendFailedException.class)
                .hasMessageContaining("write 1 of 1 held (INSERT INTO webhook_requests");
    }

    @Test
    void heldUntilCommitAQuerySendsTheHeldWritesFirstInTheirOrder() throws Exception {
        batch.open();
        upsert(1, 10);
        batch.holdUntilCommit();
        upsert(1, 20);
        UUID request = UUID.randomUUID();
        journalRequest(request);

        assertThat(rows()).containsExactly("1=20");
        assertThat(batch.held()).isZero();
        assertThat(journalEvent(request, "stored")).as("still held after the query").containsExactly(1);
        assertThat(batch.held()).isEqualTo(1);
        connection.commit();
        assertThat(committedJournal(request)).containsExactly("accepted", "stored");
    }

    @Test
    void heldUntilCommitATextEndingInACommentIsSentTogetherIntactAndOneEndingInASemicolonIsNotHeld() throws Exception {
        batch.holdUntilCommit();
        upsert(UPSERT + "\n-- newer wins", 1, 10);
        UUID request = UUID.randomUUID();
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setQueryTimeout(5);
            statement.setLong(1, 3);
            statement.setInt(2, 30);
            statement.executeUpdate();
        }
        journalRequest(request);
        assertThat(batch.held()).isEqualTo(3);
        assertThat(upsert(UPSERT + ";\n", 2, 10)).as("a closing ';': sends the held writes, then runs").isEqualTo(1);
        assertThat(batch.held()).isZero();

        connection.commit();
        assertThat(committedRows()).containsExactly("1=10", "2=10", "3=30");
        assertThat(committedJournal(request)).containsExactly("accepted");
    }

    @Test
    void heldUntilCommitAStatementThatSetMoreParametersThanItHasIsNotSentWithOthers() throws Exception {
        batch.holdUntilCommit();
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setLong(1, 1);
            statement.setInt(2, 10);
            statement.setInt(3, 99);
            statement.executeUpdate();
        }
        UUID request = UUID.randomUUID();
        journaled.add(request);
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO webhook_requests (id, received_at,"
                + " body_bytes, outcome, http_status) VALUES (?, now(), 10, 'accepted', 200)")) {
            statement.executeUpdate();
        }

        assertThatThrownBy(connection::commit).as("alone, each fails as it would have unheld")
                .isInstanceOf(UpsertBatch.SendFailedException.class);
        assertThat(committedRows()).isEmpty();
        assertThat(committedJournal(request)).isEmpty();
    }

    @Test
    void aStatementPreparedWhileHoldingButExecutedAfterTheCommitRunsAtOnce() throws Exception {
        batch.open();
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            connection.commit();
            statement.setLong(1, 1);
            statement.setInt(2, 10);
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
        assertThat(batch.held()).isZero();
        connection.commit();
        assertThat(committedRows()).containsExactly("1=10");
    }

    @Test
    void placeholdersAreCountedOutsideQuotesAndComments() {
        assertThat(HeldSql.placeholders("INSERT INTO t VALUES (?, '?', \"?\", ?) -- ?\n /* ? */")).isEqualTo(2);
        assertThat(HeldSql.placeholders(UPSERT)).isEqualTo(2);
        assertThat(HeldSql.placeholders("SELECT $$?$$, ?")).as("dollar quoting: not read").isEqualTo(-1);
        assertThat(HeldSql.placeholders("SELECT ? ?? 'k'")).as("an escaped ?").isEqualTo(-1);
    }

    @Test
    void journalRowsAreHeldOnlyUntilACommitNotWhileTheEventsAreApplied() throws Exception {
        batch.open();
        UUID request = UUID.randomUUID();
        journalRequest(request);
        assertThat(batch.held()).as("a journal row before the events are done runs at once").isZero();
        assertThat(writeLocksOfThisTransaction()).isNotEmpty();
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
                .hasMessageContaining("2 held writes failed").hasMessageContaining("null value");
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
    void exactlyTheStoreRoutesUpsertsAndTheJournalRowsAreHeldAndEachCanBeSentWithOthers() throws Exception {
        Map<String, HeldSql.Kind> kinds = new TreeMap<>();
        try (var files = Files.list(Path.of("src/main/resources/sql"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".sql", "");
                // the text camel-sql prepares: comment lines out, :#name parameters as ?
                String prepared = prepared(name);
                HeldSql.Kind kind = HeldSql.kind(prepared);
                if (kind != HeldSql.Kind.OTHER) {
                    kinds.put(name, kind);
                    assertThat(HeldSql.placeholders(prepared)).as(name + ": every parameter a ? in its place")
                            .isEqualTo(ParsedOnceSqlStrategy.parameterNames(resolved(name)).size()).isPositive();
                }
            }
        }
        assertThat(kinds).containsOnlyKeys("company-delete", "company-upsert", "contact-delete",
                "contact-upsert", "customer-delete", "customer-upsert", "lead-delete", "lead-upsert", "note-upsert",
                "talk-upsert", "task-delete", "task-upsert", "unsorted-decide", "unsorted-upsert",
                "webhook-event-insert", "webhook-request-insert");
        assertThat(kinds).as("held until the commit, after the events")
                .containsEntry("webhook-event-insert", HeldSql.Kind.JOURNAL_ROW)
                .containsEntry("webhook-request-insert", HeldSql.Kind.JOURNAL_ROW)
                .containsEntry("lead-upsert", HeldSql.Kind.UPSERT);
        for (String file : List.of("lead-status-change-insert", "webhook-request-insert", "message-insert")) {
            assertThat(HeldSql.isUpsert(prepared(file))).as(file + ": its count is not an outcome").isFalse();
        }
        assertThat(HeldSql.isUpsert(UPSERT + " RETURNING id")).isFalse();
        assertThat(HeldSql.isUpsert(UPSERT + "; SELECT 1")).isFalse();
    }

    private int journalRequest(UUID id) throws Exception {
        journaled.add(id);
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO webhook_requests (id, received_at,"
                + " body_bytes, outcome, http_status) VALUES (?, now(), 10, 'accepted', 200) ON CONFLICT (id) DO NOTHING")) {
            statement.setObject(1, id);
            return statement.executeUpdate();
        }
    }

    /** As camel-sql's batch=true writes a single event's journal row. */
    private int[] journalEvent(UUID request, String outcome) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement("INSERT INTO webhook_events (request_id, topic,"
                + " entity, action, outcome) VALUES (?, 'leads', 'lead', 'update', ?)")) {
            statement.setObject(1, request);
            statement.setString(2, outcome);
            statement.addBatch();
            return statement.executeBatch();
        }
    }

    /** The committed journal of a request: its outcome, then its events' outcomes. */
    private List<String> committedJournal(UUID request) throws Exception {
        List<String> journal = new ArrayList<>();
        try (Connection other = dataSource.getConnection();
                PreparedStatement query = other.prepareStatement("SELECT outcome FROM webhook_requests WHERE id = ?"
                        + " UNION ALL SELECT outcome FROM webhook_events WHERE request_id = ?")) {
            query.setObject(1, request);
            query.setObject(2, request);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    journal.add(row.getString(1));
                }
            }
        }
        return journal;
    }

    private int upsert(long id, int v) throws Exception {
        return upsert(UPSERT, id, v);
    }

    private int upsert(String sql, long id, int v) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
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

    /** As a camel-sql endpoint reads its file: comment lines out, :#name as :?name. */
    private String resolved(String file) throws Exception {
        return SqlHelper.resolveQuery(camel, "classpath:sql/" + file + ".sql", "#");
    }

    private String prepared(String file) throws Exception {
        return new ParsedOnceSqlStrategy().prepareQuery(resolved(file), true, new DefaultExchange(camel));
    }

}
