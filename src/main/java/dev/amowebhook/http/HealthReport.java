package dev.amowebhook.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The answers of {@code GET /api/webhooks/amo/health} (database and route status, 503 when a part is down)
 * and {@code GET /api/webhooks/amo/test}.
 */
public class HealthReport {

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;

    public HealthReport(DataSource dataSource, ObjectMapper mapper) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setQueryTimeout(1);
        this.mapper = mapper;
    }

    public void health(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Object> database = database();
        Map<String, Object> routes = routes(exchange.getContext());
        boolean up = "UP".equals(database.get("status")) && "UP".equals(routes.get("status"));
        body.put("status", up ? "UP" : "DOWN");
        body.put("database", database);
        body.put("routes", routes);
        body.put("time", Instant.now().toString());
        answer(exchange, up ? 200 : 503, body);
    }

    public void test(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("message", "amoCRM webhook server is running");
        body.put("camelContext", exchange.getContext().getName());
        body.put("webhook", "POST /api/webhooks/amo");
        body.put("time", Instant.now().toString());
        answer(exchange, 200, body);
    }

    private Map<String, Object> database() {
        Map<String, Object> status = new LinkedHashMap<>();
        long start = System.nanoTime();
        try {
            jdbc.queryForObject("SELECT 1", Integer.class);
            status.put("status", "UP");
        } catch (RuntimeException e) {
            status.put("status", "DOWN");
            status.put("error", "Database connection failed");
        }
        status.put("latencyMs", (System.nanoTime() - start) / 1_000_000);
        return status;
    }

    private static Map<String, Object> routes(CamelContext context) {
        Map<String, Object> routes = new LinkedHashMap<>();
        boolean allStarted = context.getStatus() == ServiceStatus.Started;
        Map<String, Object> each = new LinkedHashMap<>();
        for (Route route : context.getRoutes()) {
            ServiceStatus status = context.getRouteController().getRouteStatus(route.getRouteId());
            each.put(route.getRouteId(), String.valueOf(status));
            allStarted &= status == ServiceStatus.Started;
        }
        routes.put("status", allStarted ? "UP" : "DOWN");
        routes.put("camelContext", String.valueOf(context.getStatus()));
        routes.put("routes", each);
        return routes;
    }

    private void answer(Exchange exchange, int status, Map<String, Object> body) {
        JsonAnswer.write(exchange, mapper, status, body);
    }
}
