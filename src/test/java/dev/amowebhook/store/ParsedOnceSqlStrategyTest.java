package dev.amowebhook.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeExchangeException;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The cached strategy must answer exactly what camel-sql's default strategy answers, for every statement we run. */
class ParsedOnceSqlStrategyTest {

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final DefaultSqlPrepareStatementStrategy reference = new DefaultSqlPrepareStatementStrategy();
    private final ParsedOnceSqlStrategy cached = new ParsedOnceSqlStrategy();

    @Test
    void everyStatementOfTheRoutesIsPreparedAndFilledAsByCamelSql() throws Exception {
        List<Path> files = statements();
        assertThat(files).hasSizeGreaterThan(20);
        for (Path file : files) {
            // camel-sql turns the :# placeholders into :? before it asks the strategy
            String query = Files.readString(file).replace('#', '?');
            List<String> names = ParsedOnceSqlStrategy.parameterNames(query);
            Map<String, Object> body = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                body.put(names.get(i), "value-" + i);
            }
            for (int round = 0; round < 2; round++) {
                Exchange exchange = exchange(body);
                String expected = reference.prepareQuery(query, true, exchange);
                assertThat(cached.prepareQuery(query, true, exchange)).as(file.toString()).isEqualTo(expected);
                assertThat(list(cached.createPopulateIterator(query, expected, names.size(), exchange, body)))
                        .as(file.toString())
                        .isEqualTo(list(reference.createPopulateIterator(query, expected, names.size(), exchange, body)));
            }
        }
    }

    @Test
    void looksUpTheBodyThenHeadersThenVariablesAndFailsOnAMissingName() throws Exception {
        String query = "INSERT INTO t VALUES (:?a, :?b, :?c, :?a)";
        Exchange exchange = exchange(Map.of("a", 1));
        exchange.getIn().setHeader("b", 2);
        exchange.getIn().setHeader("a", "header loses to body");
        exchange.setVariable("c", 3);
        Object body = exchange.getMessage().getBody();
        assertThat(cached.prepareQuery(query, true, exchange)).isEqualTo("INSERT INTO t VALUES (?, ?, ?, ?)");
        assertThat(list(cached.createPopulateIterator(query, null, 4, exchange, body))).containsExactly(1, 2, 3, 1);
        assertThat(list(cached.createPopulateIterator(query, null, 4, exchange, body)))
                .isEqualTo(list(reference.createPopulateIterator(query, null, 4, exchange, body)));

        Exchange without = exchange(Map.of("a", 1));
        assertThatThrownBy(() -> list(cached.createPopulateIterator(query, null, 4, without, Map.of("a", 1))))
                .isInstanceOf(RuntimeExchangeException.class).hasMessageContaining("Cannot find key [b]");
    }

    @Test
    void answersRightBeyondTheStatementsItKeeps() throws Exception {
        Exchange exchange = exchange(Map.of("a", 1, "b", 2));
        for (int i = 0; i < ParsedOnceSqlStrategy.MAX_STATEMENTS + 100; i++) {
            String query = "SELECT " + i + " WHERE x = :?b AND y = :?a";
            assertThat(cached.prepareQuery(query, true, exchange)).isEqualTo("SELECT " + i + " WHERE x = ? AND y = ?");
            assertThat(list(cached.createPopulateIterator(query, null, 2, exchange, Map.of("a", 1, "b", 2))))
                    .containsExactly(2, 1);
        }
    }

    @Test
    void leavesDynamicParametersToCamelSql() throws Exception {
        String query = "SELECT * FROM t WHERE id IN (:?in:ids) AND x = :?${header.x}";
        Exchange exchange = exchange(Map.of("ids", List.of(1, 2, 3)));
        exchange.getIn().setHeader("x", 9);
        assertThat(cached.prepareQuery(query, true, exchange))
                .isEqualTo(reference.prepareQuery(query, true, exchange))
                .isEqualTo("SELECT * FROM t WHERE id IN (?,?,?) AND x = ?");
    }

    private Exchange exchange(Map<String, ?> body) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    private static List<Object> list(Iterator<?> it) {
        List<Object> values = new ArrayList<>();
        it.forEachRemaining(v -> values.add(v instanceof Iterator<?> inner ? list(inner) : v));
        return values;
    }

    private static List<Path> statements() throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path dir : List.of(Path.of("src/main/resources/sql"), Path.of("routes/examples/sql"))) {
            try (Stream<Path> found = Files.list(dir)) {
                found.filter(p -> p.toString().endsWith(".sql")).sorted().forEach(files::add);
            }
        }
        return files;
    }
}
