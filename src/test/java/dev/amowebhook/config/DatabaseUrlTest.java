package dev.amowebhook.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DB_URL as users write it: the libpq URI or a JDBC URL, with the credentials kept out of the URL. */
class DatabaseUrlTest {

    @Test
    void libpqUriWithEncodedPasswordPortAndSslMode() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://user:p%40ss@host:5433/db?sslmode=require");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5433/db?sslmode=require");
        assertThat(url.username()).isEqualTo("user");
        assertThat(url.password()).isEqualTo("p@ss");
    }

    @Test
    void thePostgresSchemeIsAcceptedToo() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://amocrm:amocrm@db:5432/amocrm");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/amocrm");
        assertThat(url.username()).isEqualTo("amocrm");
        assertThat(url.password()).isEqualTo("amocrm");
    }

    @Test
    void theDockerComposeUrlWorks() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://amocrm:amocrm@db:5432/amocrm");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/amocrm");
    }

    @Test
    void withoutCredentialsUserAndPasswordAreNull() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://localhost:5432/amocrm");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/amocrm");
        assertThat(url.username()).isNull();
        assertThat(url.password()).isNull();
    }

    @Test
    void aUserWithoutPasswordHasANullPassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://reader@localhost/amocrm");

        assertThat(url.username()).isEqualTo("reader");
        assertThat(url.password()).isNull();
    }

    @Test
    void anEmptyPasswordIsKeptEmpty() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://reader:@localhost/amocrm");

        assertThat(url.username()).isEqualTo("reader");
        assertThat(url.password()).isEmpty();
    }

    @Test
    void withoutPortTheDriverDefaultIsUsed() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u:pw@db.example.com/amocrm");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com/amocrm");
    }

    @Test
    void withoutDatabaseThePostgresDatabaseIsUsed() {
        assertThat(DatabaseUrl.parse("postgresql://u:pw@host:5432").jdbcUrl())
                .isEqualTo("jdbc:postgresql://host:5432/postgres");
        assertThat(DatabaseUrl.parse("postgresql://host").jdbcUrl()).isEqualTo("jdbc:postgresql://host/postgres");
    }

    @Test
    void percentEncodedSpecialCharactersInUserAndPasswordAreDecoded() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://us%65r%40corp:p%3Aa%2Fs%23s%25w%C3%B6rd@host/db");

        assertThat(url.username()).isEqualTo("user@corp");
        assertThat(url.password()).isEqualTo("p:a/s#s%wörd");
    }

    @Test
    void aPlusInThePasswordStaysAPlusAsInLibpq() {
        // libpq percent-decodes URI parts but does not treat '+' as a space (that is form encoding)
        DatabaseUrl url = DatabaseUrl.parse("postgresql://user:se+cret@host/db");

        assertThat(url.password()).isEqualTo("se+cret");
    }

    @Test
    void anIpv6HostKeepsItsBrackets() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u:pw@[::1]:5432/db");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
    }

    @Test
    void aHostNameWithAnUnderscoreIsAccepted() {
        // docker and compose container names often contain '_' (project_db_1); libpq accepts them
        DatabaseUrl url = DatabaseUrl.parse("postgresql://u:pw@amocrm_db_1:5432/amocrm");

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://amocrm_db_1:5432/amocrm");
        assertThat(url.password()).isEqualTo("pw");
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        assertThat(DatabaseUrl.parse("  postgresql://host/db \n").jdbcUrl()).isEqualTo("jdbc:postgresql://host/db");
    }

    @Test
    void aJdbcUrlPassesThroughUnchanged() {
        String jdbc = "jdbc:postgresql://localhost:5432/amocrm?ssl=true&ApplicationName=amo";

        DatabaseUrl url = DatabaseUrl.parse(jdbc);

        assertThat(url.jdbcUrl()).isEqualTo(jdbc);
        assertThat(url.username()).isNull();
        assertThat(url.password()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "mysql://u:p@host/db", "http://host/db", "localhost:5432/db",
            "jdbc:mysql://host/db", "postgresql://", "postgresql:///db", "postgresql://u:p@/db",
            "postgresql://host name/db", "postgresql://u:p%zz@host/db"})
    void invalidUrlsAreRefusedWithIllegalArgumentException(String value) {
        assertThatThrownBy(() -> DatabaseUrl.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullIsRefusedWithIllegalArgumentException() {
        assertThatThrownBy(() -> DatabaseUrl.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DB_URL");
    }

    @Test
    void errorMessagesDoNotRepeatTheUrlWithItsPassword() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://user:TopSecret1@host/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TopSecret1"));
        assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://user:TopSecret1@/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TopSecret1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql://user:Top Secret1@host/db", "postgresql://user:Top^Secret1@host/db",
            "postgresql://user:TopSecret1%zz@host/db", "postgres://user:TopSecret1@host name/db"})
    void errorMessagesForUnparsableUrlsDoNotContainThePassword(String value) {
        assertThatThrownBy(() -> DatabaseUrl.parse(value))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TopSecret1").doesNotContain("Top Secret1")
                        .doesNotContain("Top^Secret1"));
    }

    @Test
    void toStringNeverContainsThePassword() {
        DatabaseUrl url = DatabaseUrl.parse("postgresql://user:TopSecret1@host:5433/db?sslmode=require");

        assertThat(url.toString()).doesNotContain("TopSecret1").contains("host:5433").contains("user");
    }

    @Test
    void toStringNeverContainsAPasswordGivenAsAUrlParameter() {
        // .env.example documents DB_URL=jdbc:postgresql://localhost:5432/amocrm?user=user&password=password
        DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:postgresql://localhost:5432/amocrm?user=u&password=TopSecret1");
        DatabaseUrl libpq = DatabaseUrl.parse("postgresql://localhost/amocrm?user=u&password=TopSecret1");

        assertThat(jdbc.toString()).doesNotContain("TopSecret1");
        assertThat(libpq.toString()).doesNotContain("TopSecret1");
    }
}
