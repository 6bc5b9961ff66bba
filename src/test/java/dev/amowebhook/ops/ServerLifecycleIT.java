package dev.amowebhook.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The operator's day with the packaged jar, through the real make targets: {@code make start}, {@code make status},
 * {@code make webhook-test} (passing, then failing with a wrong secret), {@code make webhook-simulate} ending in the
 * expected rows, {@code make webhook-status}, {@code make webhook-logs}, {@code make stop}, and {@code make status}
 * saying it is gone. The server runs on free ports with its embedded PostgreSQL in a throw-away directory under
 * target/, configured only through the environment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerLifecycleIT {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final String SMOKE_LEAD_ID = "999999999999";
    /** Requests in one simulated story (every entity and action once); see scripts/webhook-simulate.py. */
    private static final int STORY = 36;

    private Path work;
    private int port;
    private int pgPort;
    private String secret;
    private String token;
    private Map<String, String> env;

    @BeforeAll
    void setUp() throws IOException {
        assertThat(Shell.ROOT.resolve(Shell.JAR)).as("the packaged jar (failsafe runs after package)").exists();
        work = Shell.ROOT.resolve("target/ops-it/lifecycle-" + UUID.randomUUID().toString().substring(0, 8));
        Files.createDirectories(work);
        port = Shell.freePort();
        pgPort = Shell.freePort();
        secret = "ops-it-secret-" + UUID.randomUUID();
        token = "ops-it-token-" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> settings = new HashMap<>();
        settings.put("PORT", String.valueOf(port));
        settings.put("HOST", "localhost");
        settings.put("EMBEDDED_PG_PORT", String.valueOf(pgPort));
        settings.put("EMBEDDED_PG_DATA_DIR", work.resolve("postgres").toString());
        settings.put("RUN_DIR", work.resolve("run").toString());
        settings.put("DB_URL", "");
        settings.put("DB_POOL_SIZE", "5");
        settings.put("AMOCRM_CLIENT_ID", "ops-it");
        settings.put("AMOCRM_CLIENT_SECRET", secret);
        settings.put("AMOCRM_WEBHOOK_TOKEN", token);
        // the account check is on: the smoke test and the simulator must send this account's block
        settings.put("AMOCRM_DOMAIN", "opsit.amocrm.ru");
        settings.put("AMOCRM_ACCOUNT_ID", "424242");
        settings.put("WEBHOOK_AUTH_ENABLED", "true");
        // make start waits 60 s by default; a build machine busy with other builds can need more
        settings.put("START_TIMEOUT", "150");
        env = Shell.environment(settings);
    }

    /** make, without rebuilding the jar failsafe is testing even if a source file changed meanwhile. */
    private Shell.Result make(Map<String, String> environment, String... args) {
        String[] command = new String[args.length + 3];
        command[0] = "make";
        command[1] = "-o";
        command[2] = Shell.JAR;
        System.arraycopy(args, 0, command, 3, args.length);
        return Shell.run(environment, COMMAND_TIMEOUT.multipliedBy(3), command);
    }

    private Shell.Result make(String... args) {
        return make(env, args);
    }

    @Test
    @Order(1)
    void startRunsTheServerInTheBackgroundAndWaitsUntilItIsHealthy() {
        Shell.Result start = make("start").expectSuccess("make start");

        assertThat(start.output()).contains("http://localhost:" + port + "/api/webhooks/amo")
                .contains("pid").contains(work.resolve("run/server.log").toString())
                .contains("embedded PostgreSQL on port " + pgPort)
                .contains("-Xmx256m");
        assertThat(serverPid()).isPresent();
        assertThat(ProcessHandle.of(serverPid().get()).flatMap(p -> p.info().commandLine()).orElse(""))
                .as("the JVM gets the Makefile's memory flags").contains("-Xmx256m").contains("-XX:+UseSerialGC");

        Shell.Result again = make("start").expectSuccess("make start (already running)");
        assertThat(again.output()).contains("Already running");
    }

    @Test
    @Order(2)
    void statusShowsProcessPortDatabaseAndRoutes() {
        Shell.Result status = make("status").expectSuccess("make status");

        assertThat(status.output()).contains("running").contains("pid " + serverPid().orElseThrow())
                .contains("port      " + port)
                .containsPattern("database  embedded PostgreSQL on port " + pgPort + ".*: UP")
                .containsPattern("routes    UP: \\d+ of \\d+ started");
    }

    @Test
    @Order(3)
    void smokeTestPassesAgainstTheRunningServer() {
        Shell.Result test = make("webhook-test").expectSuccess("make webhook-test");

        assertThat(test.output()).contains("PASS health").contains("PASS test endpoint").contains("PASS signed webhook")
                .contains("PASS token webhook").contains("PASS bad signature").contains("PASS bad token")
                .doesNotContain("FAIL").doesNotContain(secret).doesNotContain(token);
        assertThat(query("SELECT name FROM amo_leads WHERE id = " + SMOKE_LEAD_ID))
                .isEqualTo("[webhook-test] smoke check");
    }

    @Test
    @Order(4)
    void smokeTestFailsWhenItHasAnotherSecretThanTheServer() {
        Map<String, String> wrong = new HashMap<>(env);
        wrong.put("AMOCRM_CLIENT_SECRET", "not-the-server-secret");
        wrong.put("AMOCRM_WEBHOOK_TOKEN", "");

        Shell.Result test = make(wrong, "webhook-test");

        assertThat(test.exit()).as("exit status of a failing smoke test").isNotZero();
        assertThat(test.output()).contains("FAIL signed webhook").contains("401").contains("PASS health")
                .contains("PASS bad signature");
    }

    @Test
    @Order(5)
    void simulatedTrafficEndsInTheExpectedRows() {
        Shell.Result simulate = make("webhook-simulate", "COUNT=" + 2 * STORY, "RATE=0")
                .expectSuccess("make webhook-simulate");

        assertThat(simulate.output()).contains("signed with AMOCRM_CLIENT_SECRET")
                .contains("Sent " + 2 * STORY + " request(s)").contains("0 failed, 0 not as expected")
                .contains("duplicate requests 4").doesNotContain(secret);
        String notSmoke = " WHERE id <> " + SMOKE_LEAD_ID;
        // two stories with fresh ids: every entity, each with its own rows
        assertThat(count("amo_leads" + notSmoke)).isEqualTo(6);
        assertThat(count("amo_contacts")).isEqualTo(4);
        assertThat(count("amo_companies")).isEqualTo(2);
        assertThat(count("amo_tasks")).isEqualTo(4);
        assertThat(count("amo_tasks WHERE deleted_at IS NOT NULL")).isEqualTo(2);
        assertThat(count("amo_notes")).isEqualTo(6);
        assertThat(count("amo_notes WHERE parent_entity = 'customer'")).isEqualTo(2);
        assertThat(count("amo_unsorted WHERE status = 'accepted' AND accepted_lead_id IS NOT NULL")).isEqualTo(2);
        assertThat(count("amo_unsorted WHERE status = 'declined'")).isEqualTo(2);
        assertThat(count("amo_talks WHERE is_read")).isEqualTo(2);
        assertThat(count("amo_messages")).isEqualTo(4);
        assertThat(count("amo_customers WHERE deleted_at IS NOT NULL")).isEqualTo(2);
        assertThat(count("amo_lead_status_changes")).isEqualTo(4);
        assertThat(count("dead_letters")).isZero();
        // Cyrillic and emoji arrive intact
        assertThat(count("amo_leads WHERE name LIKE 'Заказ №%: диван «Честер», доставка в Москву'")).isEqualTo(2);
        assertThat(count("amo_messages WHERE text = 'Привет! Диван ещё есть? 🛋️'")).isEqualTo(2);
        assertThat(count("amo_companies WHERE name = 'ООО «Ромашка и партнёры» 🌼'")).isEqualTo(2);
        assertThat(count("amo_leads WHERE strpos(custom_fields::text, '(50% предоплата) & уточнить адрес = ?') > 0"))
                .isEqualTo(2);
        // duplicates are recognised (a re-sent body, a retry with the same X-Amocrm-Requestid), never applied twice
        assertThat(count("webhook_requests WHERE outcome = 'duplicate'")).isEqualTo(4);
        // the out-of-order update is stale: the newer name stays; deleted and restored rows are alive
        assertThat(count("webhook_events WHERE outcome = 'stale'")).isEqualTo(2);
        assertThat(count("amo_leads WHERE name LIKE '%(v1, late)'")).isZero();
        assertThat(count("amo_leads WHERE name LIKE '%(v2)' AND deleted_at IS NULL AND last_action = 'restore'"))
                .isEqualTo(2);
        assertThat(count("amo_contacts WHERE deleted_at IS NULL")).isEqualTo(4);
        // the minimal Digital Pipeline body moved the stage without blanking the name
        assertThat(count("amo_leads WHERE status_id = 63012347 AND name LIKE 'Заказ №%'")).isEqualTo(2);
        assertThat(simulate.output()).contains("amo_leads 6").contains("amo_lead_status_changes 4");
    }

    @Test
    @Order(6)
    void simulatorSendsToTheTokenUrlWhenThereIsNoSecret() {
        Map<String, String> tokenOnly = new HashMap<>(env);
        tokenOnly.put("AMOCRM_CLIENT_SECRET", "");
        long before = count("webhook_requests WHERE outcome = 'accepted'");

        Shell.Result simulate = make(tokenOnly, "webhook-simulate", "COUNT=3", "RATE=50")
                .expectSuccess("make webhook-simulate (token)");

        assertThat(simulate.output()).contains("to the token URL").contains("/api/webhooks/amo/<AMOCRM_WEBHOOK_TOKEN>")
                .contains("0 failed, 0 not as expected").doesNotContain(token);
        assertThat(count("webhook_requests WHERE outcome = 'accepted'")).isEqualTo(before + 3);
    }

    @Test
    @Order(7)
    void webhookStatusPrintsHealthAndTestAndWebhookLogsFollowsTheLog() throws Exception {
        Shell.Result status = make("webhook-status").expectSuccess("make webhook-status");
        assertThat(status.output()).contains("/api/webhooks/amo/health -> HTTP 200")
                .contains("/api/webhooks/amo/test -> HTTP 200").contains("\"UP\"")
                .contains("amoCRM webhook server is running");

        String[] logLines = Shell.read(work.resolve("run/server.log")).strip().split("\n");
        String lastLine = logLines[logLines.length - 1];
        Path out = work.resolve("webhook-logs.out");
        ProcessBuilder builder = new ProcessBuilder("make", "-o", Shell.JAR, "webhook-logs")
                .directory(Shell.ROOT.toFile()).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process logs = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!Shell.read(out).contains(lastLine) && System.nanoTime() < deadline && logs.isAlive()) {
                Thread.sleep(200);
            }
            assertThat(logs.isAlive()).as("tail -F keeps following").isTrue();
            assertThat(Shell.read(out)).contains("Following " + work.resolve("run/server.log")).contains(lastLine);
        } finally {
            Shell.destroyTree(logs.toHandle());
        }
    }

    @Test
    @Order(8)
    void stopEndsTheServerAndItsDatabaseAndStatusThenFails() {
        long pid = serverPid().orElseThrow();

        Shell.Result stop = make("stop").expectSuccess("make stop");

        assertThat(stop.output()).contains("SIGTERM").contains("Stopped");
        // the JVM has exited; its new parent (init) reaps it a moment later
        assertThat(gone(pid, Duration.ofSeconds(10))).as("server process %d gone", pid).isTrue();
        assertThat(listening(port)).as("HTTP port closed").isFalse();
        assertThat(listening(pgPort)).as("embedded PostgreSQL stopped").isFalse();
        Shell.Result status = make("status");
        assertThat(status.exit()).isNotZero();
        assertThat(status.output()).contains("not running");
        assertThat(make("stop").expectSuccess("make stop (not running)").output()).contains("Not running");
    }

    @AfterAll
    void tearDown() throws IOException {
        if (env == null) {
            return;
        }
        Optional<Long> pid = serverPid();
        if (pid.isPresent()) {
            make("stop");
            ProcessHandle.of(pid.get()).ifPresent(Shell::destroyTree);
        }
        Path postgres = work.resolve("postgres");
        if (Files.isDirectory(postgres)) {
            Path postmaster = postgres.resolve("postmaster.pid");
            if (Files.exists(postmaster)) {
                long pgPid = Long.parseLong(Files.readAllLines(postmaster).get(0).strip());
                ProcessHandle.of(pgPid).filter(p -> p.info().command().orElse("").contains("postgres"))
                        .ifPresent(ProcessHandle::destroy);
            }
            try (Stream<Path> files = Files.walk(postgres)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private Optional<Long> serverPid() {
        Path pidFile = work.resolve("run/server.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean gone(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("localhost", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/postgres", "postgres", "");
    }

    private long count(String tableAndCondition) {
        return Long.parseLong(query("SELECT count(*) FROM " + tableAndCondition));
    }

    private String query(String sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).as(sql).isTrue();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new AssertionError(sql + ": " + e.getMessage(), e);
        }
    }
}
