package dev.amowebhook;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Holds a row lock in a transaction of its own until closed (rolled back): a webhook that writes the row waits in
 * its transaction meanwhile, as it would behind a slow database.
 */
public final class RowLock implements AutoCloseable {

    private final Connection connection;

    private RowLock(Connection connection) {
        this.connection = connection;
    }

    /** Locks the row of {@code table} with this id, {@code SELECT ... FOR UPDATE}. */
    public static RowLock on(DataSource dataSource, String table, long id) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id FROM " + table + " WHERE id = ? FOR UPDATE")) {
                select.setLong(1, id);
                select.executeQuery().close();
            }
            return new RowLock(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.rollback();
        } finally {
            connection.close();
        }
    }
}
