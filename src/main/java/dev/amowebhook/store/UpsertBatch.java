package dev.amowebhook.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A connection that can hold back a bulk request's upserts and send them to PostgreSQL together, as one JDBC batch
 * (one round trip instead of one per event). Made for camel-sql, which prepares, binds and executes one statement
 * per event: while the batch is {@link #open() open}, an upsert ({@code INSERT ... ON CONFLICT ... DO UPDATE}
 * without {@code RETURNING}) is recorded instead of executed and reports one changed row, as a stored event does.
 * <p>What keeps that safe:
 * <ul>
 *   <li>Order: the held upserts are sent before anything else reaches the database on this connection (another
 *       statement, a savepoint, the commit), so every statement still sees the writes before it.</li>
 *   <li>Outcome: when they are sent, each must have changed exactly one row. One that changed none (a stale event)
 *       or failed makes the sending fail with an {@link SQLException}: the request's fast attempt is then rolled
 *       back and the request stored again event by event ({@link TransactionBoundaries}), where every count is
 *       real. A reported "stored" therefore never commits unless it is true.</li>
 *   <li>Scope: the batch is open only in a request's fast attempt with more than one event; rolling back, closing
 *       or returning the connection drops what is held and closes the batch.</li>
 * </ul>
 */
public final class UpsertBatch implements InvocationHandler {

    /**
     * Upserts whose only result is their count: the store routes' ({@code sql/*-upsert.sql}, the soft deletes,
     * {@code unsorted-decide.sql}) and any extension's of the same form.
     */
    private static final Pattern UPSERT = Pattern.compile(
            "(?is)\\s*INSERT\\s+INTO\\s.*\\bON\\s+CONFLICT\\b.*\\bDO\\s+UPDATE\\b.*");
    private static final Pattern RETURNING = Pattern.compile("(?i)\\bRETURNING\\b");
    private static final Pattern COMMENT = Pattern.compile("--[^\\n]*");
    private static final Pattern MORE_STATEMENTS = Pattern.compile(";\\s*\\S");
    /** Statements from files are a few dozen texts; one built per message must not fill memory. */
    private static final int MAX_STATEMENTS = 1000;
    private static final Map<String, Boolean> UPSERTS = new ConcurrentHashMap<>();
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
    /** A failed sending, kept until the transaction is rolled back: nothing may commit after it, even if caught. */
    private SendFailedException failure;
    private String heldSql;
    private final List<List<Call>> held = new ArrayList<>();

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

    /** Whether camel-sql's statement text is an upsert this batch may hold back. */
    static boolean isUpsert(String sql) {
        Boolean known = UPSERTS.get(sql);
        if (known != null) {
            return known;
        }
        String code = COMMENT.matcher(sql).replaceAll(" ");
        boolean upsert = UPSERT.matcher(code).matches() && !RETURNING.matcher(sql).find()
                && !MORE_STATEMENTS.matcher(code).find();
        if (UPSERTS.size() < MAX_STATEMENTS) {
            UPSERTS.put(sql, upsert);
        }
        return upsert;
    }

    /** From now on upserts are held back until something else needs the database. */
    public void open() {
        open = true;
    }

    /** Sends what is held back and stops holding upserts back; fails if this or an earlier sending failed. */
    public void close() throws SQLException {
        open = false;
        send();
        if (failure != null) {
            throw failure;
        }
    }

    /** How many upserts are held back now. */
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
                if (open && args.length == 1 && isUpsert((String) args[0])) {
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
            target.rollback();
            throw e;
        }
        target.commit();
    }

    /** Holds one executed upsert: its parameters, to be bound again on the batch's statement. */
    void hold(String sql, List<Call> parameters) throws SQLException {
        if (heldSql != null && !heldSql.equals(sql)) {
            send();
        }
        heldSql = sql;
        held.add(parameters);
    }

    /** Sends the held upserts as one batch; each must have changed one row. */
    void send() throws SQLException {
        if (held.isEmpty()) {
            return;
        }
        String sql = heldSql;
        List<List<Call>> rows = List.copyOf(held);
        drop();
        try (PreparedStatement statement = target.prepareStatement(sql)) {
            for (List<Call> row : rows) {
                for (Call parameter : row) {
                    parameter.applyTo(statement);
                }
                statement.addBatch();
            }
            int[] counts = statement.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 1) {
                    throw failed(new SendFailedException("upsert " + (i + 1) + " of a batch of " + rows.size()
                            + " changed " + counts[i] + " rows instead of 1 (a stale event)", null), rows.size());
                }
            }
        } catch (SendFailedException e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            throw failed(new SendFailedException("a batch of " + rows.size() + " upserts failed: " + e.getMessage(), e),
                    rows.size());
        }
        stored(rows.size());
    }

    private SendFailedException failed(SendFailedException e, int upserts) {
        tally.sent(upserts, false);
        failure = e;
        return e;
    }

    /** Counted when the transaction commits: a batch of a fast attempt rolled back later was not stored. */
    private void stored(int upserts) {
        AfterCommit.run(() -> tally.sent(upserts, true));
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
        heldSql = null;
    }

    static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Counts the batches sent and their upserts: stored (when committed), or sent again event by event. */
    public interface Tally {
        void sent(int upserts, boolean stored);
    }

    /** A parameter setter called on a held statement, to be called again on the batch's statement. */
    record Call(Method method, Object[] args) {
        void applyTo(PreparedStatement statement) throws SQLException {
            try {
                call(statement, method, args);
            } catch (SQLException | RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                throw new SQLException(e);
            }
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
