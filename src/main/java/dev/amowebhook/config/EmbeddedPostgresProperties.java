package dev.amowebhook.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where and how the embedded PostgreSQL runs when {@code DB_URL} is not set.
 *
 * @param dataDirectory kept across restarts unless {@code cleanOnStop}
 * @param port          fixed so operators can connect with psql; 0 picks a free port (tests)
 * @param cleanOnStop   wipe the data directory on stop (tests only)
 */
@ConfigurationProperties("amocrm.embedded-postgres")
public record EmbeddedPostgresProperties(Path dataDirectory, int port, boolean cleanOnStop) {

    public EmbeddedPostgresProperties {
        if (dataDirectory == null) {
            dataDirectory = Path.of("data", "postgres");
        }
    }
}
