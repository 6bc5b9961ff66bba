package dev.amowebhook.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection that can hold back a request's writes and send them to PostgreSQL together (one round trip instead of
 * one per statement). Made for camel-sql, which prepares, binds and executes one statement per event: while the
 * batch is {@link #open() open}, an upsert ({@code INSERT ... ON CONFLICT ... DO UPDATE} without {@code RETURNING})
 * is recorded instead of executed and reports one changed row, as a stored event does. After the events, a
 * single-event request {@link #holdUntilCommit() keeps its upsert held} together with its
 * journal rows ({@code INSERT INTO webhook_events} and {@code webhook_requests}), and the commit sends the three in
 * one round trip before its own.
 * <p>What keeps that safe:
 * <ul>
 *   <li>Order: the held writes are sent before anything else reaches the database on this connection (another
 *       statement, a savepoint, the commit), in the order they were executed, so every statement still sees the
 *       writes before it.</li>
 *   <li>Outcome: each held write reported one changed row. When they are sent, each must have changed exactly one.
 *       One that changed none (a stale event; a request row whose id was taken, which a fresh UUID never is) or
 *       failed makes the sending fail with an {@link SQLException}: the
 *       request's fast attempt is then rolled back and the request stored again event by event
 *       ({@link TransactionBoundaries}), where every count is real. A reported count therefore never commits unless
 *       it is true.</li>
 *   <li>Scope: the batch is open only in a request's fast attempt; rolling back, closing or returning the
 *       connection drops what is held and closes the batch.</li>
 * </ul>
 */
public final class UpsertBatch implements InvocationHandler {

    private static final Logger log = LoggerFactory.getLogger(UpsertBatch.class);

    /**
     * Methods that neither reach the database nor depend on what was held back. {@code getMetaData} is among them:
     * Spring's {@code setNull} asks for it on every statement; its own queries read the catalog, not the held rows.
     */
    private static final Set<String> PASSIVE = Set.of("isWrapperFor", "getAutoCommit", "isClosed", "isReadOnly",
            "getTransactionIsolation", "getHoldability", "getWarnings", "clearWarnings", "getCatalog", "getSchema",
            "getClientInfo", "getNetworkTimeout", "getTypeMap", "getMetaData");

    private final Connection target;
    private final Connection proxy;
    private final Tally tally;
    private boolean open;
    /** After the events: upserts and journal rows are held until the commit (or anything else) sends them. */
    private boolean untilCommit;
    /** A failed sending, kept until the transaction is rolled back: nothing may commit after it, even if caught. */
    private SendFailedException failure;
    private final List<Held> held = new ArrayList<>();

    private UpsertBatch(Connection target, Tally tally) {
        this.target = target;
        this.tally = tally;
        this.proxy = (Connection) Proxy.newProxyInstance(UpsertBatch.class.getClassLoader(),
                new Class<?>[] {Connection.class}, this);
    }

    /** {@code target} behind a connection that can batch upserts; until {@link #open()} it only passes calls on. */
    public static Connection wrap(Connection target, Tally tally) {
        return new UpsertBatch(target, tally).proxy;
    }

    /** The batch of a connection {@link #wrap wrapped} here, or null for any other connection. */
    public static UpsertBatch of(Connection connection) throws SQLException {
        return connection.isWrapperFor(UpsertBatch.class) ? connection.unwrap(UpsertBatch.class) : null;
    }

    /** From now on upserts are held back until something else needs the database. */
    public void open() {
        open = true;
    }

    /** Sends what is held back and stops holding upserts back; fails if this or an earlier sending failed. */
    public void close() throws SQLException {
        open = false;
        untilCommit = false;
        send();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Keeps what is held, and from now on also holds the request's journal rows, until the commit sends them all in
     * one round trip; fails if an earlier sending failed.
     */
    public void holdUntilCommit() throws SQLException {
        if (failure != null) {
            throw failure;
        }
        open = false;
        untilCommit = true;
    }

    /** How many writes are held back now. */
    public int held() {
        return held.size();
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        switch (name) {
            case "unwrap", "isWrapperFor" -> {
                if (args[0] == UpsertBatch.class) {
                    return name.equals("unwrap") ? this : Boolean.TRUE;
                }
            }
            case "prepareStatement" -> {
                if ((open || untilCommit) && args.length == 1 && holds((String) args[0])) {
                    return HeldStatement.create(this, (String) args[0]);
                }
            }
            case "commit" -> {
                commit();
                return null;
            }
            case "rollback", "close", "abort" -> {
                // a rollback (to the start, or to a savepoint, which sent everything before it) undoes what is held
                drop();
                if (args == null || args.length == 0 || name.equals("abort")) {
                    failure = null;
                    open = false;
                    untilCommit = false;
                }
                return call(target, method, args);
            }
            case "equals" -> {
                return self == args[0];
            }
            case "hashCode" -> {
                return System.identityHashCode(self);
            }
            case "toString" -> {
                return "upsert batch on " + target;
            }
            default -> {
            }
        }
        if (!PASSIVE.contains(name)) {
            if (!held.isEmpty() && log.isTraceEnabled()) {
                log.trace("sending {} held writes before {}", held.size(), name);
            }
            send();
        }
        return call(target, method, args);
    }

    /** Never commits past a failed sending: the transaction is rolled back and the failure thrown. */
    private void commit() throws SQLException {
        try {
            send();
            if (failure != null) {
                throw failure;
            }
        } catch (SQLException | RuntimeException e) {
            drop();
            failure = null;
            open = false;
            untilCommit = false;
            try {
                target.rollback();
            } catch (SQLException | RuntimeException rollbackFailed) {
                // the failed sending stays the cause: it is what asks for the attempt event by event
                e.addSuppressed(rollbackFailed);
            }
            throw e;
        }
        open = false;
        untilCommit = false;
        target.commit();
    }

    private boolean holds(HeldSql.Kind kind) {
        return (open && kind == HeldSql.Kind.UPSERT) || (untilCommit && kind != HeldSql.Kind.OTHER);
    }

    /** Whether a statement prepared to be held may still be: the batch was not closed or committed since. */
    boolean holds(String sql) {
        return holds(HeldSql.kind(sql));
    }

    /**
     * Holds one executed write: its parameters, to be bound again when it is sent. While the events are applied a
     * different upsert statement sends the run before it (one JDBC batch per run); until the commit, all are kept.
     */
    void hold(String sql, List<Call> parameters) throws SQLException {
        if (!untilCommit && !held.isEmpty() && !held.get(held.size() - 1).sql().equals(sql)) {
            send();
        }
        held.add(new Held(sql, parameters));
    }

    /**
     * Sends the held writes in one round trip: one statement alone, a run of the same upsert as a JDBC batch,
     * different statements as one text of several (pgjdbc sends them together and answers a count for each). Each
     * must have changed one row.
     */
    void send() throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        List<Held> writes = List.copyOf(held);
        drop();
        if (log.isTraceEnabled()) {
            log.trace("sending {} held writes: {}", writes.size(), writes.stream().map(w -> HeldSql.firstWords(w.sql())).toList());
        }
        int upserts = 0;
        for (Held write : writes) {
            upserts += HeldSql.kind(write.sql()) == HeldSql.Kind.UPSERT ? 1 : 0;
        }
        try {
            int[] counts = writes.size() == 1 ? new int[] {alone(writes.get(0))}
                    : sameStatement(writes) ? asBatch(writes)
                    : parametersKnown(writes) ? together(writes) : oneByOne(writes);
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 1) {
                    throw failed(new SendFailedException("write " + (i + 1) + " of " + writes.size() + " held ("
                            + HeldSql.firstWords(writes.get(i).sql()) + ") changed " + counts[i]
                            + " rows instead of 1 (a stale event)", null), upserts, writes.size());
                }
            }
        } catch (SendFailedException e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            throw failed(new SendFailedException(writes.size() + " held writes failed: " + e.getMessage(), e), upserts,
                    writes.size());
        }
        stored(upserts, writes.size());
    }

    private int alone(Held write) throws SQLException {
        try (PreparedStatement statement = target.prepareStatement(write.sql())) {
            for (Call parameter : write.parameters()) {
                parameter.applyTo(statement, 0);
            }
            return statement.executeUpdate();
        }
    }

    private int[] asBatch(List<Held> writes) throws SQLException {
        try (PreparedStatement statement = target.prepareStatement(writes.get(0).sql())) {
            for (Held write : writes) {
                for (Call parameter : write.parameters()) {
                    parameter.applyTo(statement, 0);
                }
                statement.addBatch();
            }
            return statement.executeBatch();
        }
    }

    /** Different statements as one text; each one's parameters after those of the statements before it. */
    private int[] together(List<Held> writes) throws SQLException {
        StringBuilder sql = new StringBuilder();
        for (Held write : writes) {
            // on a line of its own: a text that ends in a -- comment must not swallow the separator
            sql.append(sql.length() == 0 ? "" : "\n;\n").append(write.sql());
        }
        try (PreparedStatement statement = target.prepareStatement(sql.toString())) {
            int offset = 0;
            for (Held write : writes) {
                for (Call parameter : write.parameters()) {
                    parameter.applyTo(statement, offset);
                }
                offset += HeldSql.placeholders(write.sql());
            }
            statement.execute();
            int[] counts = new int[writes.size()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = statement.getUpdateCount();
                statement.getMoreResults();
            }
            return counts;
        }
    }

    /** Held writes one after another, each its own round trip: for texts whose parameters could not be counted. */
    private int[] oneByOne(List<Held> writes) throws SQLException {
        int[] counts = new int[writes.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = alone(writes.get(i));
        }
        return counts;
    }

    /**
     * Whether each write set exactly the parameters its text has, 1 to n: only then do its parameters keep their
     * places in a text of several statements (a camel-sql endpoint without the right parametersCount would
     * otherwise shift the next statement's).
     */
    private static boolean parametersKnown(List<Held> writes) {
        for (Held write : writes) {
            int placeholders = HeldSql.placeholders(write.sql());
            BitSet set = new BitSet();
            for (Call parameter : write.parameters()) {
                int index = parameter.index();
                if (index > 0) {
                    set.set(index);
                }
            }
            // indexes from 1: as many set as there are placeholders, the highest the last one, so 1 to n exactly
            if (placeholders < 0 || set.cardinality() != placeholders || (placeholders > 0 && set.length() != placeholders + 1)) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameStatement(List<Held> writes) {
        String first = writes.get(0).sql();
        for (Held write : writes) {
            if (!write.sql().equals(first) || HeldSql.kind(write.sql()) != HeldSql.Kind.UPSERT) {
                return false;
            }
        }
        return true;
    }

    private SendFailedException failed(SendFailedException e, int upserts, int writes) {
        tally.sent(upserts, writes, false);
        failure = e;
        return e;
    }

    /** Counted when the transaction commits: a batch of a fast attempt rolled back later was not stored. */
    private void stored(int upserts, int writes) {
        AfterCommit.run(() -> tally.sent(upserts, writes, true));
    }

    /** A statement executed on its own, after what the batch holds. */
    PreparedStatement prepareAlone(String sql) throws SQLException {
        send();
        return target.prepareStatement(sql);
    }

    Connection proxy() {
        return proxy;
    }

    private void drop() {
        held.clear();
    }

    static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * Counts what was held and sent: the upserts and all writes (upserts and journal rows) of one sending, stored
     * (when committed), or sent again event by event.
     */
    public interface Tally {
        void sent(int upserts, int writes, boolean stored);
    }

    /** One held write: the statement text and what was set on it. */
    record Held(String sql, List<Call> parameters) {
    }

    /** A setter called on a held statement, to be called again on the statement that sends it. */
    record Call(Method method, Object[] args) {
        /**
         * Calls it on {@code statement}, a parameter's index moved by {@code offset} (its place in a text of several
         * statements).
         */
        void applyTo(PreparedStatement statement, int offset) throws SQLException {
            Object[] moved = args;
            if (index() > 0 && offset > 0) {
                moved = args.clone();
                moved[0] = (Integer) args[0] + offset;
            }
            try {
                call(statement, method, moved);
            } catch (SQLException | RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                throw new SQLException(e);
            }
        }

        /** The parameter it sets, or 0 for a statement setting such as the query timeout. */
        int index() {
            return method.getDeclaringClass() == PreparedStatement.class && args != null && args.length > 0
                    && args[0] instanceof Integer index ? index : 0;
        }
    }

    /**
     * Sending the batch failed: an upsert was stale (changed no row) or an error. The request must be stored again
     * event by event ({@link TransactionBoundaries} looks for this in a failure's causes).
     */
    public static final class SendFailedException extends SQLException {
        SendFailedException(String message, Exception cause) {
            super(message + ": stored again event by event",
                    cause instanceof SQLException sql ? sql.getSQLState() : null, cause);
        }
    }
}
