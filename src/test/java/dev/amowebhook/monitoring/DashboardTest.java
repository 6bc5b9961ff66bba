package dev.amowebhook.monitoring;

import static dev.amowebhook.FormBody.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import dev.amowebhook.deadletter.DeadLetterMetrics;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the Prometheus configuration of the compose {@code monitoring} profile, checked against
 * the real server: every metric a panel queries must be in {@code /actuator/prometheus} after real traffic (accepted,
 * rejected and dead-lettered requests, a dead-letter replay), so a renamed metric breaks this test instead of leaving
 * an empty panel.
 */
@WebhookServerTest
class DashboardTest {

    static final Path DASHBOARD = Path.of("monitoring/grafana/dashboards/amocrm-webhooks.json");
    static final Path DATASOURCES = Path.of("monitoring/grafana/provisioning/datasources/prometheus.yml");
    static final Path DASHBOARD_PROVIDERS = Path.of("monitoring/grafana/provisioning/dashboards/amocrm.yml");
    static final Path PROMETHEUS = Path.of("monitoring/prometheus/prometheus.yml");

    /** PromQL words that are neither metrics nor functions (functions are recognised by the '(' that follows). */
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan");
    /** Grafana's variables, replaced the way Grafana would before the query reaches Prometheus. */
    private static final Map<String, String> VARIABLES = Map.of("$__rate_interval", "1m", "$__interval", "1m",
            "$__range", "1h", "$instance", ".*");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");

    static JsonNode dashboard;

    @LocalServerPort
    int port;

    @Autowired
    DeadLetterMetrics deadLetterMetrics;

    @Autowired
    JdbcTemplate jdbc;

    @BeforeAll
    static void parseDashboard() throws IOException {
        dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    @Test
    void dashboardIsAGrafanaDashboardOnTheProvisionedDataSource() throws IOException {
        assertThat(dashboard.path("uid").asText()).isEqualTo("amocrm-webhooks");
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("schemaVersion").asInt()).isPositive();

        String uid = String.valueOf(first(list(yaml(DATASOURCES).get("datasources"))).get("uid"));
        List<JsonNode> panels = panels();
        assertThat(panels).hasSizeGreaterThan(10);
        Set<Integer> ids = new LinkedHashSet<>();
        for (JsonNode panel : panels) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel ids are unique: %s", panel.path("id")).isTrue();
            if (!"row".equals(panel.path("type").asText())) {
                assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                        .isEqualTo(uid);
                assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            }
        }
        Map<String, Object> provider = first(list(yaml(DASHBOARD_PROVIDERS).get("providers")));
        assertThat(map(provider.get("options")).get("path")).isEqualTo("/var/lib/grafana/dashboards");
    }

    @Test
    void dashboardCoversTheOperatorsQuestions() {
        String all = String.join("\n", expressions());
        assertThat(all).as("requests/s by outcome").contains("sum by (outcome) (rate(amocrm_webhook_requests_total");
        assertThat(all).as("events by entity/action/outcome")
                .contains("sum by (entity, action, outcome) (rate(amocrm_webhook_events_total");
        assertThat(all).as("rejected by cause").contains("sum by (cause)").contains("outcome=\"rejected\"");
        assertThat(all).as("dead-lettered events").contains("outcome=\"dead-lettered\"");
        assertThat(all).as("dead-letter depth").contains("amocrm_dead_letters{");
        for (String quantile : List.of("0.5", "0.9", "0.99")) {
            assertThat(all).as("p" + quantile).contains("histogram_quantile(" + quantile
                    + ", sum by (le) (rate(amocrm_webhook_request_seconds_bucket");
        }
        assertThat(all).as("2 s budget breaches").contains("amocrm_webhook_slow_answers_total");
        assertThat(all).as("Camel route exchanges").contains("camel_exchanges_total");
        assertThat(all).as("Camel route failures").contains("camel_exchanges_failed_total");
    }

    @Test
    void everyMetricTheDashboardQueriesIsInTheServersOutput() {
        String scrape = scrapeAfterTraffic();
        Set<String> exposed = scrape.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));

        Map<String, Set<String>> metricsByExpression = new LinkedHashMap<>();
        for (String expr : expressions()) {
            metricsByExpression.put(expr, metricNames(expr));
        }
        assertThat(metricsByExpression).isNotEmpty();
        List<String> missing = new ArrayList<>();
        metricsByExpression.forEach((expr, names) -> {
            assertThat(names).as("a metric in %s", expr).isNotEmpty();
            names.stream().filter(name -> !exposed.contains(name)).forEach(name -> missing.add(name + "  in  " + expr));
        });
        assertThat(missing).as("metrics the dashboard queries that /actuator/prometheus does not expose").isEmpty();
    }

    @Test
    void metricNamesAreFoundInPromQl() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, outcome) "
                + "(rate(amocrm_webhook_request_seconds_bucket{instance=~\".*\",cause!=\"a b(c)\"}[1m])))"))
                .containsExactly("amocrm_webhook_request_seconds_bucket");
        assertThat(metricNames("sum(rate(a_sum[1m])) / on (x) group_left(y) sum(rate(b_count[5m] offset 1h)) > 0"))
                .containsExactly("a_sum", "b_count");
        assertThat(metricNames("sum(amocrm_dead_letters{status=\"pending\"}) or vector(0)"))
                .containsExactly("amocrm_dead_letters");
    }

    @Test
    void prometheusScrapesTheAppWithTheOperatorLogin() throws IOException {
        Map<String, Object> config = yaml(PROMETHEUS);
        Map<String, Object> job = list(config.get("scrape_configs")).stream().map(DashboardTest::map)
                .filter(j -> list(j.get("static_configs")).stream().map(DashboardTest::map)
                        .anyMatch(s -> list(s.get("targets")).contains("app:8000")))
                .findFirst().orElseThrow(() -> new AssertionError("no scrape job targets app:8000"));

        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        Map<String, Object> auth = map(job.get("basic_auth"));
        assertThat(auth).as("username from a file the compose service writes from ADMIN_USER")
                .containsKey("username_file");
        assertThat(auth).as("password from a file, never in the repository").containsKey("password_file")
                .doesNotContainKey("password");

        Map<String, Object> compose = yaml(Path.of("docker-compose.yml"));
        Map<String, Object> services = map(compose.get("services"));
        Map<String, Object> prometheus = map(services.get("prometheus"));
        Map<String, Object> grafana = map(services.get("grafana"));
        assertThat(strings(prometheus.get("profiles"))).containsExactly("monitoring");
        assertThat(strings(grafana.get("profiles"))).containsExactly("monitoring");
        String startup = String.valueOf(prometheus.get("command")) + prometheus.get("entrypoint");
        assertThat(startup).contains(String.valueOf(auth.get("username_file")))
                .contains(String.valueOf(auth.get("password_file")));
        assertThat(String.valueOf(prometheus.get("volumes"))).contains("./monitoring/prometheus/prometheus.yml");
        assertThat(String.valueOf(grafana.get("volumes"))).contains("./monitoring/grafana/provisioning")
                .contains("./monitoring/grafana/dashboards");
    }

    /** Accepted, rejected and dead-lettered requests, then the dead-letter gauge refreshed and a scrape. */
    private String scrapeAfterTraffic() {
        WebhookClient client = new WebhookClient(port);
        for (String sample : List.of("leads-add.form", "leads-status.form", "contacts-add.form", "tasks-add.form")) {
            assertThat(client.postSigned(WebhookClient.sample(sample)).status()).as(sample).isEqualTo(200);
        }
        String leadId = String.valueOf(990_000_000L + System.nanoTime() % 1_000_000L);
        Answer deadLettered = client.postSigned(form().account().item("leads[update][0]", "id", leadId,
                "name", "Broken lead", "status_id", "stage-x", "updated_at", "1732600000").bytes());
        assertThat(deadLettered.count("deadLettered")).isEqualTo(1);
        Answer rejected = client.post("/api/webhooks/amo", WebhookClient.sample("leads-add.form"), WebhookClient.FORM,
                "0000", null);
        assertThat(rejected.status()).isEqualTo(401);
        // an operator replays it (it fails again: the payload is still broken), which counts a replay
        long deadLetterId = jdbc.queryForObject("SELECT id FROM dead_letters WHERE entity = 'lead' AND entity_id = ?",
                Long.class, leadId);
        Answer replay = operator(client, "POST", "/api/admin/dead-letters/" + deadLetterId + "/replay");
        assertThat(replay.json().path("result").asText()).isEqualTo("failed");
        deadLetterMetrics.refresh();

        Answer scrape = operator(client, "GET", "/actuator/prometheus");
        assertThat(scrape.status()).isEqualTo(200);
        return scrape.body();
    }

    private Answer operator(WebhookClient client, String method, String path) {
        return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        ("operator:" + WebhookServerTest.ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))
                .method(method, HttpRequest.BodyPublishers.noBody()).build());
    }

    /** Every panel, rows' collapsed panels included. */
    static List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /** Every PromQL expression: panel targets and query variables, with Grafana's variables substituted. */
    static List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("target %s of %s", target.path("refId"),
                        panel.path("title")).isNotBlank();
                expressions.add(substitute(target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                String query = variable.path("query").isObject() ? variable.path("query").path("query").asText()
                        : variable.path("query").asText();
                Matcher labelValues = Pattern.compile("^label_values\\((.*),\\s*\\w+\\)$").matcher(query.strip());
                expressions.add(substitute(labelValues.matches() ? labelValues.group(1) : query));
            }
        }
        return expressions;
    }

    private static String substitute(String expr) {
        String result = expr;
        for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
            result = result.replace(variable.getKey(), variable.getValue());
        }
        assertThat(result).as("unknown Grafana variable in %s", expr).doesNotContain("$");
        return result;
    }

    /** The metric names of a PromQL expression: identifiers that are not functions, keywords or label names. */
    static Set<String> metricNames(String expr) {
        String text = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")   // string literals
                .replaceAll("\\{[^{}]*}", " ")                            // label matchers
                .replaceAll("\\[[^\\[\\]]*]", " ");                       // range selectors
        text = LABEL_LIST.matcher(text).replaceAll(" ");                  // by (le, outcome), on (...), ...
        Set<String> names = new LinkedHashSet<>();
        Matcher m = NAME.matcher(text);
        while (m.find()) {
            String word = m.group();
            boolean function = text.substring(m.end()).stripLeading().startsWith("(");
            boolean partOfNumber = m.start() > 0 && (Character.isDigit(text.charAt(m.start() - 1))
                    || text.charAt(m.start() - 1) == '.');
            if (!function && !partOfNumber && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return map(new Yaml().load(reader));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<?>) value;
    }

    private static List<String> strings(Object value) {
        return list(value).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> first(List<?> list) {
        assertThat(list).isNotEmpty();
        return map(list.get(0));
    }
}
