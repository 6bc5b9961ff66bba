package dev.amowebhook.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/webhook-server-setup.md stays the complete reference: every variable the server reads (application*.yaml and
 * .env.example) has a row with its default, and the troubleshooting sections name the commands that diagnose.
 */
class SetupDocsIT {

    private final String doc = Shell.read(Shell.ROOT.resolve("docs/webhook-server-setup.md"));

    @Test
    void everyConfigurationVariableHasARowInTheReference() throws IOException {
        Set<String> variables = new TreeSet<>();
        Matcher env = Pattern.compile("(?m)^#?\\s*([A-Z][A-Z0-9_]*)=").matcher(Shell.read(Shell.ROOT.resolve(".env.example")));
        while (env.find()) {
            variables.add(env.group(1));
        }
        try (Stream<Path> files = Files.list(Shell.ROOT.resolve("src/main/resources"))) {
            for (Path yaml : files.filter(f -> f.getFileName().toString().matches("application.*\\.ya?ml")).toList()) {
                Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(Shell.read(yaml));
                while (m.find()) {
                    variables.add(m.group(1));
                }
            }
        }
        assertThat(variables).contains("AMOCRM_CLIENT_SECRET", "AMOCRM_WEBHOOK_TOKEN", "DB_URL", "PORT");

        for (String variable : variables) {
            assertThat(doc).as("a row for %s in docs/webhook-server-setup.md", variable)
                    .containsPattern("(?m)^\\| `" + variable + "` \\| [^|]+ \\| [^|]+ \\|$");
        }
    }

    @Test
    void explainsTheAmoCrmSetupAndTheTroubleshooting() {
        assertThat(doc).contains("https://<host>/api/webhooks/amo/<AMOCRM_WEBHOOK_TOKEN>")
                .contains("Settings → Integrations").contains("amoCRM does not sign account webhooks")
                .contains("make run").contains("make start").contains("make up");
        for (String section : new String[] {"### \"Invalid signature\" (401)", "### \"Database connection failed\" (503)",
                "### \"Webhook not received\""}) {
            assertThat(doc).contains(section);
            String body = doc.substring(doc.indexOf(section));
            int next = body.indexOf("\n### ", section.length());
            body = next < 0 ? body : body.substring(0, next);
            assertThat(body).as(section).containsAnyOf("make status", "make webhook-test")
                    .contains("make webhook-logs");
        }
        assertThat(doc).contains("make webhook-health").containsPattern("FROM webhook_requests[\\s\\S]*error_code");
    }
}
