package dev.amowebhook.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import dev.amowebhook.WebhookServerTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A logback turbo filter runs on every level check, also for the trace and debug lines that are never written;
 * Camel checks dozens per request. None may be installed (Micrometer's logback_events counter would add one).
 */
@WebhookServerTest
class LoggingCostTest {

    @Autowired
    MeterRegistry registry;

    @Test
    void noTurboFilterRunsOnEveryLevelCheck() {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();

        assertThat(logging.getTurboFilterList()).isEmpty();
        assertThat(registry.find("logback.events").meters()).isEmpty();
    }
}
