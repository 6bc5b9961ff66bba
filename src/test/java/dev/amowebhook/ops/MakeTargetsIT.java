package dev.amowebhook.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code make help} lists every target; the Docker Compose targets say clearly when there is no Docker engine. */
class MakeTargetsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** The targets the quick-start promises (issue 7) that this part of the Makefile provides. */
    private static final List<String> PROMISED = List.of("help", "run", "start", "stop", "status", "migrate", "test",
            "package", "env", "clean", "webhook-health", "webhook-ping", "webhook-send", "webhook-status",
            "webhook-test", "webhook-simulate", "webhook-logs", "db-shell", "up", "down", "logs");

    private final Map<String, String> env = Shell.environment(Map.of("PORT", String.valueOf(Shell.freePort()),
            "EMBEDDED_PG_PORT", String.valueOf(Shell.freePort())));

    @Test
    void helpListsEveryTargetOfTheMakefile() {
        Shell.Result help = Shell.run(env, TIMEOUT, "make", "help").expectSuccess("make help");
        Shell.Result byDefault = Shell.run(env, TIMEOUT, "make").expectSuccess("make");

        List<String> listed = listedTargets(help.output());
        assertThat(listed).containsAll(PROMISED);
        assertThat(listed).as("every rule in the Makefile is in make help").containsAll(rulesOfTheMakefile());
        assertThat(byDefault.output()).isEqualTo(help.output());
    }

    @Test
    void composeTargetsExplainThatThereIsNoDockerEngine() {
        assumeFalse(dockerEngineAnswers(), "a Docker engine is available here");

        for (String target : List.of("up", "down", "logs")) {
            Shell.Result result = Shell.run(env, TIMEOUT, "make", target);

            assertThat(result.exit()).as("make " + target + " without Docker").isNotZero();
            assertThat(result.output()).as("make " + target).containsIgnoringCase("docker")
                    .contains("make start");
        }
    }

    private static List<String> listedTargets(String help) {
        List<String> targets = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  ([a-zA-Z0-9_-]+)\\s").matcher(help);
        while (m.find()) {
            targets.add(m.group(1));
        }
        return targets;
    }

    /** Every explicit rule {@code name:} of the Makefile (not variables, not special targets, not file rules). */
    private static List<String> rulesOfTheMakefile() {
        List<String> rules = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^([a-zA-Z0-9_-]+)\\s*:(?![=:])").matcher(Shell.read(Shell.ROOT.resolve("Makefile")));
        while (m.find()) {
            rules.add(m.group(1));
        }
        return rules;
    }

    private static boolean dockerEngineAnswers() {
        try {
            Process docker = new ProcessBuilder("docker", "info").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!docker.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                docker.destroyForcibly();
                return false;
            }
            return docker.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
