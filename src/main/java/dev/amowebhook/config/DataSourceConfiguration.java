package dev.amowebhook.config;

import com.zaxxer.hikari.HikariDataSource;
import dev.amowebhook.store.UpsertBatchingDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * One pooled DataSource: on the server named by {@code DB_URL}, or on the embedded PostgreSQL when it is unset.
 * Pool settings bind from {@code spring.datasource.hikari.*}. Its connections can hold a request's upserts and
 * journal rows and send them together ({@link UpsertBatchingDataSource}).
 */
@Configuration(proxyBeanMethods = false)
public class DataSourceConfiguration {

    @Bean(initMethod = "start", destroyMethod = "stop")
    @ConditionalOnExpression("'${amocrm.db-url:}'.isBlank()")
    EmbeddedDatabase embeddedDatabase(EmbeddedPostgresProperties properties) {
        return new EmbeddedDatabase(properties);
    }

    @Bean(destroyMethod = "close")
    DataSource dataSource(@Value("${amocrm.db-url:}") String dbUrl,
                          org.springframework.beans.factory.ObjectProvider<EmbeddedDatabase> embedded,
                          Environment environment) {
        HikariDataSource dataSource = new HikariDataSource();
        if (dbUrl.isBlank()) {
            EmbeddedDatabase database = embedded.getObject();
            dataSource.setJdbcUrl(database.jdbcUrl());
            dataSource.setUsername("postgres");
        } else {
            DatabaseUrl url = DatabaseUrl.parse(dbUrl);
            dataSource.setJdbcUrl(url.jdbcUrl());
            if (url.username() != null) {
                dataSource.setUsername(url.username());
            }
            if (url.password() != null) {
                dataSource.setPassword(url.password());
            }
        }
        // bound last, as @ConfigurationProperties on the bean did: an explicit spring.datasource.hikari.* setting wins
        Binder.get(environment).bind("spring.datasource.hikari", Bindable.ofInstance(dataSource));
        return new UpsertBatchingDataSource(dataSource);
    }
}
