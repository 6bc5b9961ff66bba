package dev.amowebhook.routes;

import dev.amowebhook.WebhookServerTest;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The worked example of docs/routes.md: testing a YAML route with camel-test-spring-junit5. The recipe is loaded
 * like in production (EXTRA_ROUTES), its HTTP call is woven out by id for a mock, and messages shaped like the
 * extension point's are sent straight to it.
 */
@WebhookServerTest
@TestPropertySource(properties = {
    "EXTRA_ROUTES=file:routes/examples/notify-lead-won.camel.yaml",
    "RECIPE_CHAT_WEBHOOK_URL=http://localhost:9/never-called",
    "RECIPE_WON_STATUS_ID=142"
})
@DirtiesContext
class NotifyLeadWonRecipeTest {

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Test
    void postsToTheChatOnlyWhenALeadReachesTheWonStage() throws Exception {
        AdviceWith.adviceWith(camel, "recipe-notify-lead-won",
                route -> route.weaveById("post-to-chat").replace().to("mock:chat"));
        MockEndpoint chat = camel.getEndpoint("mock:chat", MockEndpoint.class);
        chat.expectedMessageCount(1);
        chat.message(0).body(String.class).contains("Lead #7 reached stage 142 in pipeline 3 (examplecrm)");

        producer.sendBodyAndHeader("direct:after-leads-status",
                Map.of("id", "7", "status_id", "142", "pipeline_id", "3"), "amoAccountSubdomain", "examplecrm");
        producer.sendBodyAndHeader("direct:after-leads-status",
                Map.of("id", "8", "status_id", "63012346", "pipeline_id", "3"), "amoAccountSubdomain", "examplecrm");

        chat.assertIsSatisfied();
    }
}
