package dev.amowebhook.config;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.CommandLineRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/** With the {@code migrate} profile the application only migrates (Flyway runs at start-up) and reports. */
@Component
@Profile("migrate")
class MigrateOnly implements CommandLineRunner {

    private static final Logger log = LoggerFactory.getLogger(MigrateOnly.class);

    private final Flyway flyway;

    MigrateOnly(Flyway flyway) {
        this.flyway = flyway;
    }

    @Override
    public void run(String... args) {
        var current = flyway.info().current();
        log.info("Database schema is at version {} ({} migrations applied)",
                current == null ? "none" : current.getVersion(), flyway.info().applied().length);
    }
}
