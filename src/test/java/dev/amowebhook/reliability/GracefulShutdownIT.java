package dev.amowebhook.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The graceful-shutdown scenario of {@code make reliability} against the packaged jar: SIGTERM while a load is
 * running. Requests in flight are answered 2xx, new ones are not taken, every event answered 2xx is in PostgreSQL,
 * and the embedded PostgreSQL is stopped with the server (no process left on its data directory). The other
 * scenarios have small-scale counterparts in the suite (DatabaseOutageTest, TwoInstancesTest) and run at full scale
 * with {@code make reliability}.
 */
class GracefulShutdownIT {

    private static final String JAR = "target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar";
    /** One server start (slow on a busy build machine), 4 s of load, the shutdown, a check of the data. */
    private static final long TIMEOUT_SECONDS = 240;
    /** Inherited variables that would change what the scenario does. */
    private static final List<String> DROPPED_PREFIXES = List.of("MAKE", "RELIABILITY_", "AMOCRM_", "WEBHOOK_", "DB_",
            "EMBEDDED_PG_", "ADMIN_", "SPRING_", "SERVER_", "PG");
    private static final List<String> DROPPED = List.of("MFLAGS", "GNUMAKEFLAGS", "SCENARIOS", "SOAK_SECONDS", "RATE",
            "JAVA_OPTS", "PORT", "HOST");

    @Test
    void sigtermUnderLoadFinishesInFlightRequestsLosesNothingAndStopsTheEmbeddedDatabase() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        assertThat(root.resolve(JAR)).as("the packaged jar (failsafe runs after package)").exists();
        Path out = root.resolve("target/reliability-it/" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(out);
        File log = out.resolve("make-reliability.out").toFile();

        // make -o: use the jar failsafe is testing, never rebuild it
        ProcessBuilder builder = new ProcessBuilder("make", "-o", JAR, "reliability", "SCENARIOS=shutdown")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(log);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> DROPPED.contains(key) || DROPPED_PREFIXES.stream().anyMatch(key::startsWith));
        env.put("RELIABILITY_OUT", out.toString());
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            stop(process);
            fail("make reliability SCENARIOS=shutdown did not finish in " + TIMEOUT_SECONDS + " s:\n" + read(log));
        }
        String output = read(log);

        assertThat(process.exitValue()).as("exit status of make reliability SCENARIOS=shutdown:\n%s", output).isZero();
        assertThat(output).contains("## shutdown: SIGTERM under load")
                .contains("| scenario").contains("| SIGTERM after")
                .contains("PASS requests in flight at SIGTERM are answered")
                .contains("PASS no 2xx-answered events lost")
                .contains("PASS the embedded PostgreSQL is stopped")
                .contains("- PASS shutdown")
                .doesNotContain("FAIL");
    }

    /** SIGTERM first: the harness then stops the server and PostgreSQL it started; SIGKILL if it does not end. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            descendants.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String read(File file) throws IOException {
        return Files.readString(file.toPath(), StandardCharsets.UTF_8);
    }
}
