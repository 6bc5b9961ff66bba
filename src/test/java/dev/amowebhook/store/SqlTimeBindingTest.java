package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.WebhookServerTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.Arrays;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Times bound by the server's SQL strategy, as untyped text, read back by PostgreSQL as the very same instant. */
@WebhookServerTest
class SqlTimeBindingTest {

    @Autowired
    DataSource dataSource;

    @Test
    void aTimeIsTheSameInstantInACastAndInAComparisonWithATypedColumn() throws Exception {
        OffsetDateTime moscow = OffsetDateTime.parse("2024-11-26T11:00:15+03:00");
        OffsetDateTime utc = OffsetDateTime.parse("2024-11-26T08:00:15Z");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT CAST(? AS timestamptz), t = ?, CAST(? AS timestamptz) IS NULL FROM (VALUES (timestamptz '2024-11-26 08:00:15+00')) v(t)")) {
            new ParsedOnceSqlStrategy().populateStatement(select, Arrays.asList(moscow, utc, null).iterator(), 3);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                assertThat(row.getObject(1, OffsetDateTime.class).toInstant()).isEqualTo(utc.toInstant());
                assertThat(row.getBoolean(2)).isTrue();
                assertThat(row.getBoolean(3)).isTrue();
            }
        }
    }
}
