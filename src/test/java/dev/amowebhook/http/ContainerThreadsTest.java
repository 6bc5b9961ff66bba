package dev.amowebhook.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.WebhookServerTest;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.web.embedded.tomcat.TomcatWebServer;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;

/** A waiting webhook holds a container thread: the container must have one for every webhook slot, and spares. */
@WebhookServerTest
class ContainerThreadsTest {

    @Autowired
    ServletWebServerApplicationContext context;

    @Autowired
    WebhookProperties properties;

    @Test
    void theContainerHasAThreadForEveryWorkerAndQueuedWebhookAndSomeForOperators() {
        TomcatWebServer server = (TomcatWebServer) context.getWebServer();
        AbstractProtocol<?> protocol = (AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler();

        int slots = properties.workers() + properties.queue();
        assertThat(slots).as("more than Tomcat's default of 200 threads, or this test proves nothing")
                .isGreaterThan(200);
        assertThat(protocol.getMaxThreads()).isEqualTo(slots + WebConfiguration.OPERATOR_THREADS);
    }
}
