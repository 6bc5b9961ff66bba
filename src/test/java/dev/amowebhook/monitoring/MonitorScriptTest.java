package dev.amowebhook.monitoring;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookServerTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code make monitor ONCE=1}: one screen of scripts/monitor.py against the running server. Camel's JMX is on as in
 * production (the Camel test support turns it off by default), in a server of its own (the extra property keeps this
 * context apart from the shared one, which runs without Camel MBeans).
 */
@WebhookServerTest
@DisableJmx(false)
@TestPropertySource(properties = "amocrm.test.camel-jmx=on")
class MonitorScriptTest {

    @LocalServerPort
    int port;

    @Test
    void oneScreenShowsRoutesRequestsDeadLettersAndTheLastErrors() throws Exception {
        WebhookClient client = new WebhookClient(port);
        assertThat(client.postSigned(WebhookClient.sample("contacts-add.form")).status()).isEqualTo(200);
        String leadId = String.valueOf(880_000_000L + System.nanoTime() % 1_000_000L);
        assertThat(client.postSigned(form().account().item("leads[update][0]", "id", leadId, "name", "Broken",
                "status_id", "stage-monitor", "updated_at", "1732600000").bytes()).count("deadLettered")).isEqualTo(1);
        assertThat(client.post("/api/webhooks/amo", WebhookClient.sample("leads-add.form"), WebhookClient.FORM, "00",
                null).status()).isEqualTo(401);

        Run run = monitor(WebhookServerTest.ADMIN_PASSWORD, "--once");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("health UP")
                .containsPattern("REQUESTS\\s+accepted [1-9]")
                .containsPattern("rejected by cause: .*invalid_signature [1-9]")
                .containsPattern("EVENTS\\s+stored [1-9]")
                .containsPattern("dead-lettered [1-9]")
                .contains("ROUTE", "EXCHANGES", "FAILED", "INFLIGHT")
                .containsPattern("receive-webhook\\s+Started\\s+[1-9]")
                .contains("10-receive.camel.yaml")
                .containsPattern("DEAD LETTERS\\s+pending [1-9]")
                .contains("LAST ERRORS")
                .contains("id=" + leadId).contains("stage-monitor");
        assertThat(run.output().indexOf("receive-webhook")).as("routes in flow order")
                .isLessThan(run.output().indexOf("store-lead"));
    }

    @Test
    void aWrongOperatorPasswordExitsWithTwo() throws Exception {
        Run run = monitor("not-the-password", "--once");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.output()).contains("operator login refused");
    }

    private Run monitor(String password, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", "-B", "scripts/monitor.py", "--url",
                "http://localhost:" + port));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("ADMIN_") || List.of("HOST", "PORT", "INTERVAL").contains(k));
        env.put("ADMIN_USER", "operator");
        env.put("ADMIN_PASSWORD", password);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private record Run(int exit, String output) {
    }
}
