package dev.amowebhook.routes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.store.ParsedOnceSqlStrategy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.sql.SqlEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code make routes-check}, part two: the server starts with every route file, the examples in routes/examples
 * enabled too, and every route they declare runs. A route with an unknown endpoint or a missing bean stops the
 * server from starting, which fails this test with the reason.
 */
@WebhookServerTest
@TestPropertySource(properties = {
    "EXTRA_ROUTES=file:routes/examples/*.camel.yaml",
    "RECIPE_CHAT_WEBHOOK_URL=http://localhost:9/routes-check",
    "RECIPE_TEST_PIPELINE_ID=0"
})
class AllRoutesStartTest {

    private static final Pattern ROUTE_ID = Pattern.compile("(?m)^- route:\\s*\\n\\s+id: (\\S+)");

    @Autowired
    CamelContext camel;

    @Test
    void everyRouteDeclaredInRoutesAndExamplesIsRunning() throws IOException {
        List<String> declared = declaredRouteIds();

        assertThat(declared).contains("receive-webhook", "route-event", "recipe-notify-lead-won");
        for (String id : declared) {
            assertThat(camel.getRouteController().getRouteStatus(id)).as(id).isEqualTo(ServiceStatus.Started);
        }
        assertThat(camel.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteTemplateDefinition("forward-to-http")).as("the template is loaded").isNotNull();
    }

    @Test
    void everySqlEndpointParsesItsStatementOnce() {
        List<SqlEndpoint> sql = camel.getEndpoints().stream()
                .filter(SqlEndpoint.class::isInstance).map(SqlEndpoint.class::cast).toList();
        assertThat(sql).as("the flow's and the examples' sql endpoints").hasSizeGreaterThan(20);
        assertThat(sql).allSatisfy(endpoint -> assertThat(endpoint.getPrepareStatementStrategy())
                .as(endpoint.getEndpointUri()).isInstanceOf(ParsedOnceSqlStrategy.class));
    }

    private static List<String> declaredRouteIds() throws IOException {
        List<String> ids = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Matcher m = ROUTE_ID.matcher(Files.readString(file));
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }
}
