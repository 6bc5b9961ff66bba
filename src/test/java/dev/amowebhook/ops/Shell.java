package dev.amowebhook.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the commands users run ({@code make start}, {@code make webhook-test}, ...) from the project root, as
 * separate processes, in an environment that names every setting explicitly, so nothing comes from the developer's
 * shell or {@code .env}: the environment wins over {@code .env} for the Makefile, the scripts and the server.
 */
final class Shell {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final String JAR = "target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar";

    /** Inherited variables that would change what the commands do. */
    private static final List<String> DROPPED_PREFIXES = List.of("AMOCRM_", "WEBHOOK_", "DB_", "EMBEDDED_PG_", "ADMIN_",
            "SPRING_", "SERVER_", "MANAGEMENT_", "LOGGING_", "CAMEL_", "MAKE", "PG");
    private static final List<String> DROPPED = List.of("MFLAGS", "GNUMAKEFLAGS", "JAVA_OPTS", "PORT", "HOST", "JAR",
            "RUN_DIR", "COUNT", "RATE", "SEED", "AUTH", "FILE", "START_TIMEOUT", "STOP_TIMEOUT", "LINES_SHOWN", "MVN",
            "SERVICE", "TAIL", "PYTHONPATH", "PYTHONSTARTUP");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");

    private Shell() {
    }

    record Result(int exit, String output) {

        Result expectSuccess(String what) {
            if (exit != 0) {
                throw new AssertionError(what + " exited " + exit + ":\n" + output);
            }
            return this;
        }
    }

    /**
     * The environment for a command: this JVM's environment without anything that configures the server or the
     * Makefile, then every variable of {@code application.yaml} and {@code .env.example} set to its default, then
     * {@code settings}.
     */
    static Map<String, String> environment(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(key -> DROPPED.contains(key) || DROPPED_PREFIXES.stream().anyMatch(key::startsWith));
        env.putAll(configurationDefaults());
        env.putAll(settings);
        return env;
    }

    /** Every variable the server reads, with its default: application.yaml placeholders, then .env.example keys. */
    static Map<String, String> configurationDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (String line : read(ROOT.resolve(".env.example")).split("\n")) {
            Matcher m = Pattern.compile("^#?\\s*([A-Z][A-Z0-9_]*)=(.*)$").matcher(line.strip());
            if (m.matches()) {
                defaults.put(m.group(1), line.startsWith("#") ? "" : m.group(2).strip());
            }
        }
        Matcher m = PLACEHOLDER.matcher(read(ROOT.resolve("src/main/resources/application.yaml")));
        while (m.find()) {
            defaults.put(m.group(1), m.group(2) == null ? "" : m.group(2));
        }
        return defaults;
    }

    static Result run(Map<String, String> env, Duration timeout, String... command) {
        try {
            Path output = Files.createTempFile("ops-it-", ".out");
            try {
                ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile())
                        .redirectErrorStream(true).redirectOutput(output.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                builder.environment().clear();
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    destroyTree(process.toHandle());
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout + ":\n"
                            + read(output));
                }
                return new Result(process.exitValue(), read(output));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void destroyTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            socket.setReuseAddress(true);
            int port = socket.getLocalPort();
            if (port == 8000 || port == 54329) {
                return freePort();
            }
            return port;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
