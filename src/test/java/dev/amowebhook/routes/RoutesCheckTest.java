package dev.amowebhook.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make routes-check}, part one: every file under routes/ (examples included) is valid YAML DSL, checked
 * file by file so a broken one is named with its line. Part two, {@link AllRoutesStartTest}, starts them all in the
 * real server to catch unknown endpoints and missing beans.
 */
class RoutesCheckTest {

    @TestFactory
    Stream<DynamicTest> everyRouteFileIsValidYamlDsl() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            return files.filter(f -> f.toString().endsWith(".camel.yaml")).sorted().toList().stream()
                    .map(file -> DynamicTest.dynamicTest(file.toString(), () -> assertThat(load(file)).isPositive()));
        }
    }

    @Test
    void aBrokenFileIsReportedWithItsNameAndLine(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("77-broken.camel.yaml");
        Files.writeString(broken, "- route:\n    id: broken\n    from:\n      uri: direct:x\n      steps:\n"
                + "        - to: [not closed\n");

        assertThatThrownBy(() -> load(broken)).hasStackTraceContaining("77-broken.camel.yaml")
                .hasStackTraceContaining("line 6");
    }

    @Test
    void anUnknownStepIsReported(@TempDir Path dir) throws IOException {
        Path unknown = dir.resolve("78-unknown-step.camel.yaml");
        Files.writeString(unknown, "- route:\n    id: unknown-step\n    from:\n      uri: direct:x\n      steps:\n"
                + "        - sendSomewhere:\n            uri: direct:y\n");

        assertThatThrownBy(() -> load(unknown)).hasStackTraceContaining("sendSomewhere")
                .hasStackTraceContaining("78-unknown-step.camel.yaml");
    }

    @Test
    void anUnknownEndpointIsReportedWhenTheRoutesStart(@TempDir Path dir) throws Exception {
        Path unknown = dir.resolve("79-unknown-endpoint.camel.yaml");
        Files.writeString(unknown, "- route:\n    id: unknown-endpoint\n    from:\n      uri: direct:x\n      steps:\n"
                + "        - to:\n            uri: nosuchcomponent:somewhere\n");

        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(camel).loadRoutes(resource(camel, unknown));
            assertThatThrownBy(camel::start).hasStackTraceContaining("nosuchcomponent");
        }
    }

    /**
     * Reads one file's routes into a bare context, without starting them (so endpoints and beans are not needed
     * yet, only a well-formed DSL); returns how many routes, templates and configurations it declared.
     */
    private static int load(Path file) throws Exception {
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            for (var builder : PluginHelper.getRoutesLoader(camel).findRoutesBuilders(resource(camel, file))) {
                camel.addRoutes(builder);
            }
            Model model = camel.getCamelContextExtension().getContextPlugin(Model.class);
            return model.getRouteDefinitions().size() + model.getRouteTemplateDefinitions().size()
                    + model.getRouteConfigurationDefinitions().size();
        }
    }

    private static Resource resource(DefaultCamelContext camel, Path file) {
        return ResourceHelper.resolveResource(camel, "file:" + file.toAbsolutePath());
    }
}
