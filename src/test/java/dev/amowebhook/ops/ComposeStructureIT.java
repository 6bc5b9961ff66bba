package dev.amowebhook.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Docker Compose deployment, checked without a Docker engine: docker-compose.yml parsed as YAML, and the
 * Dockerfile read stage by stage.
 */
class ComposeStructureIT {

    private static Map<String, Object> compose;
    private static Map<String, Object> db;
    private static Map<String, Object> app;

    @BeforeAll
    static void parse() throws IOException {
        try (Reader reader = Files.newBufferedReader(Shell.ROOT.resolve("docker-compose.yml"))) {
            compose = new Yaml().load(reader);
        }
        Map<String, Object> services = map(compose.get("services"), "services");
        db = map(services.get("db"), "services.db");
        app = map(services.get("app"), "services.app");
    }

    @Test
    void databaseIsPostgres17WithAHealthCheckAndAVolume() {
        assertThat(db.get("image")).isEqualTo("postgres:17");

        Map<String, Object> healthcheck = map(db.get("healthcheck"), "db.healthcheck");
        assertThat(String.valueOf(healthcheck.get("test"))).contains("pg_isready");

        List<String> volumes = strings(db.get("volumes"));
        assertThat(volumes).anySatisfy(v -> assertThat(v).endsWith(":/var/lib/postgresql/data"));
        String named = volumes.stream().filter(v -> v.endsWith(":/var/lib/postgresql/data")).findFirst().orElseThrow()
                .split(":")[0];
        if (!named.startsWith(".") && !named.startsWith("/")) {
            assertThat(map(compose.get("volumes"), "volumes")).as("named volume declared").containsKey(named);
        }
    }

    @Test
    void appIsBuiltFromTheDockerfileOnPort8000AfterAHealthyDatabase() {
        Object build = app.get("build");
        String context = build instanceof Map<?, ?> b ? String.valueOf(b.get("context")) : String.valueOf(build);
        String dockerfile = build instanceof Map<?, ?> b && b.get("dockerfile") != null
                ? String.valueOf(b.get("dockerfile")) : "Dockerfile";
        assertThat(context).isIn(".", "./");
        assertThat(Shell.ROOT.resolve(dockerfile)).exists();

        assertThat(strings(app.get("ports"))).anySatisfy(port -> {
            Matcher m = Pattern.compile("^(?:\\$\\{PORT:-(\\d+)}|(\\d+)):(\\d+)$").matcher(port);
            assertThat(m.matches()).as(port).isTrue();
            assertThat(m.group(1) != null ? m.group(1) : m.group(2)).as("host port").isEqualTo("8000");
            assertThat(m.group(3)).as("container port").isEqualTo("8000");
        });

        Map<String, Object> dependsOn = map(app.get("depends_on"), "app.depends_on");
        assertThat(map(dependsOn.get("db"), "depends_on.db")).containsEntry("condition", "service_healthy");

        assertThat(environment(app).get("DB_URL")).matches("postgresql://[^:@/]+(:[^@/]*)?@db:5432/\\w+");
        assertThat(envFiles(app.get("env_file"))).contains(".env");
    }

    @Test
    void dockerfileIsMultiStageRunsAsNonRootAndHasAHealthCheck() {
        // instructions, with their continuation lines joined
        List<String> lines = Arrays.stream(Shell.read(Shell.ROOT.resolve("Dockerfile")).replaceAll("\\\\\r?\n", " ")
                        .split("\n"))
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<Integer> froms = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).toUpperCase().startsWith("FROM ")) {
                froms.add(i);
            }
        }
        assertThat(froms).as("FROM lines").hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.get(froms.get(0))).containsPattern("(?i)\\sAS\\s+\\w+");
        List<String> last = lines.subList(froms.get(froms.size() - 1), lines.size());
        assertThat(last).as("final stage copies the build stage's output")
                .anySatisfy(l -> assertThat(l).startsWith("COPY").contains("--from="));
        assertThat(last).as("final stage user").anySatisfy(l -> {
            assertThat(l).startsWith("USER ");
            assertThat(l.substring(5).strip().split(":")[0]).isNotIn("root", "0");
        });
        assertThat(last).anySatisfy(l -> assertThat(l).startsWith("HEALTHCHECK").contains("/api/webhooks/amo/health"));
        assertThat(last).anySatisfy(l -> assertThat(l).startsWith("EXPOSE").contains("8000"));
    }

    @Test
    void quickStartVariablesAreInEnvExample() {
        String example = Shell.read(Shell.ROOT.resolve(".env.example"));
        for (String variable : List.of("AMOCRM_CLIENT_ID", "AMOCRM_CLIENT_SECRET", "AMOCRM_DOMAIN", "DB_URL")) {
            assertThat(example).containsPattern("(?m)^#?\\s*" + variable + "=");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String what) {
        assertThat(value).as(what).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<String> strings(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }

    /** {@code environment:} as a map or as a list of KEY=value. */
    private static Map<String, String> environment(Map<String, Object> service) {
        Object environment = service.get("environment");
        if (environment instanceof List<?> list) {
            return list.stream().map(String::valueOf).map(e -> e.split("=", 2))
                    .collect(java.util.stream.Collectors.toMap(e -> e[0], e -> e.length > 1 ? e[1] : ""));
        }
        return map(environment, "environment").entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }

    /** {@code env_file:} as a string, a list of strings, or a list of {path, required}. */
    private static List<String> envFiles(Object envFile) {
        if (envFile instanceof String file) {
            return List.of(file);
        }
        assertThat(envFile).as("env_file").isInstanceOf(List.class);
        return ((List<?>) envFile).stream()
                .map(f -> f instanceof Map<?, ?> m ? String.valueOf(m.get("path")) : String.valueOf(f))
                .map(f -> f.startsWith("./") ? f.substring(2) : f)
                .toList();
    }
}
