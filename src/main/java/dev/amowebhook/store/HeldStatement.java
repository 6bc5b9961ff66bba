package dev.amowebhook.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The statement an {@link UpsertBatch} gives camel-sql for a write it may hold: it records the parameters, and
 * executing it (or a JDBC batch of one row, as camel-sql's {@code batch=true} sends a single event's journal row)
 * holds the write back in the batch and reports one changed row. Before it is executed, anything else (parameter
 * metadata, a batch of several rows, generated keys) turns it into a real statement, executed on its own after what
 * the batch holds; after, anything but reading its one count fails.
 */
final class HeldStatement implements InvocationHandler {

    private final UpsertBatch batch;
    private final String sql;
    private List<UpsertBatch.Call> parameters = new ArrayList<>();
    /** Rows added with {@code addBatch}, each with its parameters. */
    private final List<List<UpsertBatch.Call>> rows = new ArrayList<>();
    private boolean held;
    private boolean countRead;
    private boolean closed;
    private PreparedStatement real;

    private HeldStatement(UpsertBatch batch, String sql) {
        this.batch = batch;
        this.sql = sql;
    }

    static PreparedStatement create(UpsertBatch batch, String sql) {
        return (PreparedStatement) Proxy.newProxyInstance(HeldStatement.class.getClassLoader(),
                new Class<?>[] {PreparedStatement.class}, new HeldStatement(batch, sql));
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        if (real != null) {
            return UpsertBatch.call(real, method, args);
        }
        String name = method.getName();
        boolean noArgs = args == null || args.length == 0;
        switch (name) {
            case "execute", "executeUpdate", "executeLargeUpdate" -> {
                if (noArgs && !held && rows.isEmpty() && batch.holds(sql)) {
                    batch.hold(sql, parameters);
                    held = true;
                    return name.equals("execute") ? Boolean.FALSE : name.equals("executeUpdate") ? (Object) 1 : (Object) 1L;
                }
            }
            case "addBatch" -> {
                if (noArgs && !held) {
                    rows.add(parameters);
                    parameters = new ArrayList<>();
                    return null;
                }
            }
            case "clearBatch" -> {
                if (!held) {
                    rows.clear();
                    return null;
                }
            }
            case "executeBatch", "executeLargeBatch" -> {
                if (!held && rows.size() == 1 && onlySettings(parameters) && batch.holds(sql)) {
                    batch.hold(sql, concat(rows.get(0), parameters));
                    held = true;
                    countRead = true;
                    return name.equals("executeBatch") ? (Object) new int[] {1} : (Object) new long[] {1L};
                }
            }
            case "getUpdateCount" -> {
                return held && !countRead ? 1 : -1;
            }
            case "getLargeUpdateCount" -> {
                return held && !countRead ? 1L : -1L;
            }
            case "getResultSet" -> {
                return null;
            }
            case "getMoreResults" -> {
                // past the one result an upsert has: no more counts, as JDBC's results loop expects
                countRead = true;
                return false;
            }
            case "getWarnings" -> {
                return null;
            }
            case "clearWarnings" -> {
                return null;
            }
            case "close" -> {
                closed = true;
                return null;
            }
            case "isClosed" -> {
                return closed;
            }
            case "getConnection" -> {
                return batch.proxy();
            }
            case "clearParameters" -> {
                if (!held) {
                    parameters = new ArrayList<>();
                    return null;
                }
            }
            case "toString" -> {
                return "held write: " + sql;
            }
            case "hashCode" -> {
                return System.identityHashCode(self);
            }
            case "equals" -> {
                return self == args[0];
            }
            default -> {
                if (name.startsWith("set") && !held) {
                    // parameters and statement settings alike: all are set again on the batch's statement
                    parameters.add(new UpsertBatch.Call(method, args == null ? null : args.clone()));
                    return null;
                }
            }
        }
        if (held) {
            throw new SQLException("a held write cannot " + name + " after it was executed");
        }
        // not a write of one row: execute it on its own, after what the batch holds
        real = batch.prepareAlone(sql);
        for (List<UpsertBatch.Call> row : rows) {
            for (UpsertBatch.Call parameter : row) {
                parameter.applyTo(real, 0);
            }
            real.addBatch();
        }
        for (UpsertBatch.Call parameter : parameters) {
            parameter.applyTo(real, 0);
        }
        return UpsertBatch.call(real, method, args);
    }

    /** Whether nothing but statement settings (no parameter) was set since the last {@code addBatch}. */
    private static boolean onlySettings(List<UpsertBatch.Call> calls) {
        for (UpsertBatch.Call call : calls) {
            if (call.method().getDeclaringClass() == PreparedStatement.class) {
                return false;
            }
        }
        return true;
    }

    private static List<UpsertBatch.Call> concat(List<UpsertBatch.Call> first, List<UpsertBatch.Call> then) {
        List<UpsertBatch.Call> all = new ArrayList<>(first);
        all.addAll(then);
        return all;
    }
}
