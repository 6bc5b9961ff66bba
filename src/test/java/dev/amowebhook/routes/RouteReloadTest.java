package dev.amowebhook.routes;

import static dev.amowebhook.WebhookClient.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookServerTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The dev profile's live editing: the routes run from a folder (a copy of routes/), a changed file is picked up
 * without a restart, and a broken one is reported with file, line and reason while the running routes go on.
 */
@WebhookServerTest
@ActiveProfiles("dev")
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class RouteReloadTest {

    static final Path ROUTES = copyOfRoutes();

    @DynamicPropertySource
    static void routesFolder(DynamicPropertyRegistry registry) {
        registry.add("camel.main.routes-include-pattern", () -> "file:" + ROUTES + "/*.camel.yaml");
        registry.add("camel.main.routes-reload-directory", ROUTES::toString);
    }

    @Autowired
    CamelContext camel;

    @LocalServerPort
    int port;

    @Test
    void anEditedRouteFileIsReloadedAndABrokenOneKeepsThePreviousRoutes(CapturedOutput output) throws IOException {
        Path status = ROUTES.resolve("90-status.camel.yaml");
        String original = Files.readString(status);
        Files.writeString(status, original.replace("Answers GET /api/webhooks/amo/test with a JSON test response",
                "Edited while running"));

        await(() -> "Edited while running".equals(camel.getRoute("webhook-test").getDescription()));

        Files.writeString(status, original + "\n- route:\n    id: broken\n    from: [this is not a route\n");

        await(() -> output.getAll().contains("[this is not a route"));
        assertThat(output.getAll()).containsPattern("90-status\\.camel\\.yaml, line \\d+");
        assertThat(camel.getRouteController().getRouteStatus("webhook-health")).isEqualTo(ServiceStatus.Started);
        assertThat(camel.getRouteController().getRouteStatus("receive-webhook")).isEqualTo(ServiceStatus.Started);
        assertThat(new WebhookClient(port).postSigned(sample("leads-add.form")).status()).isEqualTo(200);
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("reloaded within 20 s").isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static Path copyOfRoutes() {
        try {
            Path dir = Files.createTempDirectory("routes-reload");
            try (Stream<Path> files = Files.list(Path.of("routes"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                    Files.copy(file, dir.resolve(file.getFileName()));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
