package dev.amowebhook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness of {@code make bench} (scripts/bench/) still works end to end, so it cannot break silently
 * before the next tuning round: a smoke run (a few seconds per scenario, targets not asserted) against the packaged
 * jar starts the server on a throw-away embedded PostgreSQL, measures the database limit, drives the four scenarios
 * and the bare reference server, checks after each that every 2xx-answered event is in PostgreSQL, prints every table
 * and stops what it started.
 * <p>It never installs packages (BENCH_INSTALL=0): where wrk or pgbench are missing, the harness's own Java load
 * generator and JDBC client stand in, which is exactly the path a fresh machine without root takes.
 */
class BenchHarnessIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path JAR = ROOT.resolve("target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar");
    private static final long TIMEOUT_SECONDS = 300;
    private static final List<String> SCENARIOS = List.of("single", "batch", "mixed", "fixed", "reference");

    @Test
    void smokeRunPrintsEveryScenarioTableAndFindsEveryAnsweredEventInPostgres() throws Exception {
        assertThat(JAR).as("the packaged jar (failsafe runs after package)").exists();
        Path out = ROOT.resolve("target/bench-it");

        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/bench/bench.sh")
                .directory(ROOT.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // the harness's own defaults, not whatever the developer running the tests has exported
        env.keySet().removeIf(key -> key.startsWith("BENCH_") || key.equals("CONNECTIONS") || key.equals("THREADS")
                || key.equals("JAVA_OPTS") || key.equals("DB_URL"));
        env.put("BENCH_SMOKE", "1");
        env.put("BENCH_INSTALL", "0");
        env.put("BENCH_OUT", out.toString());
        env.put("BENCH_JAR", JAR.toString());

        long started = System.nanoTime();
        Process process = builder.start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    System.out.println("[bench] " + line);
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.start();
        boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            process.destroy(); // SIGTERM: the harness's trap stops the server and removes its work directory
            if (!process.waitFor(45, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        reader.join(10_000);
        String text;
        synchronized (output) {
            text = output.toString();
        }
        System.out.printf("[bench] smoke run took %.1f s%n", (System.nanoTime() - started) / 1e9);

        assertThat(finished).as("the smoke run finished within %d s:%n%s", TIMEOUT_SECONDS, text).isTrue();
        assertThat(process.exitValue()).as("exit status of the smoke run:%n%s", text).isZero();
        for (String scenario : SCENARIOS) {
            assertThat(text).as("the table of scenario " + scenario)
                    .contains("### bench: " + scenario + " — ")
                    .contains("| " + scenario + " | value |");
        }
        assertThat(text).contains("### bench: targets");
        for (String metric : List.of("| requests/s (2xx) |", "| events/s |", "| latency p50 / p90 / p99 / max |",
                "| errors |", "| server RSS (max, JVM) |", "| database limit |", "| ratio to database limit |")) {
            assertThat(count(text, metric)).as("rows " + metric).isEqualTo(SCENARIOS.size());
        }
        assertThat(count(text, "| data check | OK: ")).as("data checks passed in every scenario, statements included")
                .isEqualTo(SCENARIOS.size() + 1);
        assertThat(count(text, "| seconds with an answer slower than 50 ms | ")).as("the fixed-rate run's slow seconds")
                .isEqualTo(1);
        assertThat(text).contains("after a 1 s lead-in at the same rate");
        // every measured second's slowest answer and the wall-clock start, to line stalls up with other logs
        Properties fixed = new Properties();
        try (var in = Files.newBufferedReader(out.resolve("fixed/load.result"))) {
            fixed.load(in);
        }
        assertThat(fixed.getProperty("worst_ms_per_second", "").split(","))
                .as("one slowest answer per measured second").hasSize(Integer.parseInt(fixed.getProperty("seconds")))
                .allMatch(ms -> ms.matches("\\d+"));
        assertThat(Long.parseLong(fixed.getProperty("measured_from_epoch_ms")))
                .isBetween(System.currentTimeMillis() - TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS),
                        System.currentTimeMillis());
        // the bare reference server ran next to the product and is read against the database limit
        positiveFigure(text, "the reference \\(.*\\) answered ([\\d.]+) requests/s, \\d+ % of the database limit",
                "the reference's requests/s, in its line under the targets");
        Matcher referencePort = Pattern.compile("reference server on port (\\d+)").matcher(text);
        assertThat(referencePort.find()).isTrue();
        assertThat(listening(Integer.parseInt(referencePort.group(1)))).as("the reference server's port is closed").isFalse();
        // the product's own statements, read from its SQL files, ran with no server, both ways, and were all journaled
        assertThat(text).contains("### bench: statements — ");
        positiveFigure(text, "\\| transactions/s, one round trip per statement \\(as the server sends them\\) \\| ([\\d.]+) ",
                "the statements' transactions/s");
        positiveFigure(text, "\\| transactions/s, the three writes in one round trip \\| ([\\d.]+) ",
                "the pipelined statements' transactions/s");
        assertThat(text).contains("| failed transactions | 0 |")
                .containsPattern("the product's own statements for one lead update, run by [\\w ]+ with no server at all, reached \\d+ %");
        assertThat(text).contains("bench: data checks passed");
        assertThat(out.resolve("report.md")).exists();

        // everything it started is gone: the throw-away directory (database included) was removed on the way out
        Matcher work = Pattern.compile("work directory (\\S+),").matcher(text);
        assertThat(work.find()).as("the harness names its work directory").isTrue();
        assertThat(Files.exists(Path.of(work.group(1)))).as("work directory removed: " + work.group(1)).isFalse();
        Matcher port = Pattern.compile("HTTP port (\\d+)").matcher(text);
        assertThat(port.find()).isTrue();
        assertThat(listening(Integer.parseInt(port.group(1)))).as("the server's port is closed").isFalse();
    }

    /** make bench-ab's comparison of two builds side by side: both start, both are measured, both are gone after. */
    @Test
    void sideBySideComparisonMeasuresBothBuildsAndStopsThem() throws Exception {
        assertThat(JAR).exists();
        ProcessBuilder builder = new ProcessBuilder("python3", "scripts/bench/side-by-side.py", "--jar-a", JAR.toString(),
                "--jar-b", JAR.toString(), "--events", "3,1", "--seconds", "1", "--warmup", "1", "--rounds", "1")
                .directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(key -> key.equals("JAVA_OPTS") || key.equals("DB_URL"));
        Process process = builder.start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        System.out.println("[bench-ab] " + text.replace("\n", "\n[bench-ab] "));

        assertThat(process.exitValue()).as(text).isZero();
        Pattern row = Pattern.compile("(?m)^\\| 1 \\| (\\d+) \\| \\d+ \\| (\\d+\\.\\d\\d) / (\\d+\\.\\d\\d), (\\d+\\.\\d\\d) \\| "
                + "(\\d+\\.\\d\\d) / (\\d+\\.\\d\\d), (\\d+\\.\\d\\d) \\|$");
        Matcher rows = row.matcher(text);
        assertThat(rows.find()).as("a row for 3 events per request:%n%s", text).isTrue();
        assertThat(rows.group(1)).isEqualTo("3");
        assertThat(Double.parseDouble(rows.group(2))).as("A's JVM CPU per request").isPositive();
        assertThat(Double.parseDouble(rows.group(5))).as("B's JVM CPU per request").isPositive();
        assertThat(Double.parseDouble(rows.group(4))).as("A's latency").isPositive();
        assertThat(Double.parseDouble(rows.group(7))).as("B's latency").isPositive();
        assertThat(rows.find()).as("a row for 1 event per request").isTrue();
        assertThat(rows.group(1)).isEqualTo("1");

        Matcher work = Pattern.compile("work directory (\\S+),").matcher(text);
        assertThat(work.find()).isTrue();
        assertThat(Files.exists(Path.of(work.group(1)))).as("work directory removed").isFalse();
        Matcher ports = Pattern.compile("HTTP port (\\d+)").matcher(text);
        while (ports.find()) {
            assertThat(listening(Integer.parseInt(ports.group(1)))).as("port " + ports.group(1) + " closed").isFalse();
        }
    }

    /** The figure in the first group of {@code regex}: the report must print it, above zero. */
    private static void positiveFigure(String text, String regex, String what) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in the report:%n%s", what, text).isTrue();
        assertThat(Double.parseDouble(matcher.group(1))).as(what).isPositive();
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
