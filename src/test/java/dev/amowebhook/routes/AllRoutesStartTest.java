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
import org.apache.camel.Channel;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.ServiceStatus;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ExpressionNode;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.model.language.MethodCallExpression;
import org.apache.camel.processor.errorhandler.RedeliveryErrorHandler;
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
        assertThat(camel.getCamelContextExtension().getContextPlugin(Model.class)
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

    /**
     * The method language copies the whole exchange to call a bean and copies its properties back, on every
     * evaluation; the flow's routes evaluate their per-request and per-event conditions with ref instead
     * (config/RouteConditions). Recipes in routes/examples may use it.
     */
    @Test
    void theFlowsRoutesEvaluateNoMethodExpression() {
        List<String> flowRoutes = new ArrayList<>();
        List<String> methodCalls = new ArrayList<>();
        for (RouteDefinition route : camel.getCamelContextExtension().getContextPlugin(Model.class).getRouteDefinitions()) {
            String location = route.getResource() == null ? null : route.getResource().getLocation();
            if (location == null || !location.contains("examples")) {
                flowRoutes.add(route.getRouteId());
                collectMethodCalls(route.getRouteId(), route.getOutputs(), methodCalls);
            }
        }
        assertThat(flowRoutes).contains("route-event", "apply-event", "store-lead", "journal-event", "parse-webhook");
        assertThat(methodCalls).isEmpty();
    }

    /**
     * With any redelivery configured, Camel's error handler copies the whole exchange before every step of the
     * route to be able to redeliver it, for every event. Transient errors are retried by the one step that meets
     * them (transactionBoundaries.applyEvent), so the event route's error handler must not redeliver.
     */
    @Test
    void theEventRouteDoesNotRedeliverSoItsErrorHandlerCopiesNoExchange() throws Exception {
        List<RedeliveryErrorHandler> handlers = new ArrayList<>();
        collectErrorHandlers(camel.getRoute("route-event").navigate(), handlers);
        assertThat(handlers).as("the dead-letter channel of every step").hasSizeGreaterThan(5);
        for (RedeliveryErrorHandler handler : handlers) {
            assertThat(handler.determineIfRedeliveryIsEnabled()).as(handler.toString()).isFalse();
        }
    }

    private static void collectErrorHandlers(Navigate<Processor> node, List<RedeliveryErrorHandler> found) {
        if (node == null || !node.hasNext()) {
            return;
        }
        for (Processor processor : node.next()) {
            if (processor instanceof Channel channel && channel.getErrorHandler() instanceof RedeliveryErrorHandler eh) {
                found.add(eh);
            }
            if (processor instanceof Navigate<?> next) {
                @SuppressWarnings("unchecked")
                Navigate<Processor> children = (Navigate<Processor>) next;
                collectErrorHandlers(children, found);
            }
        }
    }

    private static void collectMethodCalls(String routeId, List<? extends ProcessorDefinition<?>> nodes,
            List<String> found) {
        for (ProcessorDefinition<?> node : nodes) {
            List<ProcessorDefinition<?>> children = new ArrayList<>(node.getOutputs());
            if (node instanceof ChoiceDefinition choice) {
                for (WhenDefinition when : choice.getWhenClauses()) {
                    if (when.getExpression() instanceof MethodCallExpression) {
                        found.add(routeId + "/" + when.getId());
                    }
                    children.addAll(when.getOutputs());
                }
                if (choice.getOtherwise() != null) {
                    children.addAll(choice.getOtherwise().getOutputs());
                }
            }
            if (node instanceof ExpressionNode expressionNode
                    && expressionNode.getExpression() instanceof MethodCallExpression) {
                found.add(routeId + "/" + node.getId());
            }
            collectMethodCalls(routeId, children, found);
        }
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
