package dev.amowebhook.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.RuntimeExchangeException;
import org.apache.camel.component.sql.DefaultSqlPrepareStatementStrategy;
import org.springframework.jdbc.core.SqlTypeValue;

/**
 * camel-sql's named parameters ({@code :#name}), parsed once per statement instead of on every execution. The
 * default strategy runs several regular expressions over the SQL text each time a statement runs (about a tenth of
 * the server's CPU per event, measured with {@code make bench}); the statements here are fixed files, so their
 * {@code ?} form and parameter order are computed once. Values are looked up as camel-sql does: message body (a
 * map), then headers, then variables; a missing one fails the same way. Statements with dynamic parts
 * ({@code :#${...}}, {@code :#$simple{...}}, {@code :#in:...}) are left to the default strategy, and so is any
 * statement beyond the first {@value #MAX_STATEMENTS} (a route that sends its SQL in the message must not grow the
 * cache without end).
 * <p>Times ({@link OffsetDateTime}) are bound as untyped ISO-8601 text, which PostgreSQL reads as the type of the
 * cast or column they go into: pgjdbc binds a typed time by building a {@code TimestampUtils} (with its own
 * {@code GregorianCalendar}) per statement object, and camel-sql prepares a statement object per execution.
 */
public class ParsedOnceSqlStrategy extends DefaultSqlPrepareStatementStrategy {

    static final int MAX_STATEMENTS = 512;
    private static final Pattern NAMED = Pattern.compile(":\\?(\\w+)");

    private final Map<String, String> prepared = new ConcurrentHashMap<>();
    private final Map<String, List<String>> names = new ConcurrentHashMap<>();

    @Override
    public String prepareQuery(String query, boolean allowNamedParameters, Exchange exchange) throws SQLException {
        // the cache first: only fixed statements are in it, so a hit needs no scan of the SQL text
        String answer = allowNamedParameters ? prepared.get(query) : null;
        if (answer != null) {
            return answer;
        }
        if (!allowNamedParameters || dynamic(query)) {
            return super.prepareQuery(query, allowNamedParameters, exchange);
        }
        answer = super.prepareQuery(query, true, exchange);
        if (prepared.size() < MAX_STATEMENTS) {
            prepared.put(query, answer);
        }
        return answer;
    }

    @Override
    public Iterator<?> createPopulateIterator(String query, String preparedQuery, int expectedParams, Exchange exchange,
            Object value) throws SQLException {
        List<String> order = names.get(query);
        if (order == null) {
            if (dynamic(query)) {
                return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
            }
            order = parameterNames(query);
            if (names.size() < MAX_STATEMENTS) {
                names.put(query, order);
            }
        }
        if (order.isEmpty()) {
            return super.createPopulateIterator(query, preparedQuery, expectedParams, exchange, value);
        }
        Object body = value != null ? value : exchange.getMessage().getBody();
        Map<?, ?> bodyMap = body instanceof Map<?, ?> map ? map
                : exchange.getContext().getTypeConverter().tryConvertTo(Map.class, exchange, body);
        List<Object> values = new ArrayList<>(order.size());
        for (String name : order) {
            values.add(lookup(name, bodyMap, exchange, query));
        }
        return values.iterator();
    }

    @Override
    public void populateStatement(PreparedStatement ps, Iterator<?> iterator, int expectedParams) throws SQLException {
        super.populateStatement(ps, iterator == null ? null : new TimesAsText(iterator), expectedParams);
    }

    private static Object lookup(String name, Map<?, ?> body, Exchange exchange, String query) {
        if (body != null && body.containsKey(name)) {
            return body.get(name);
        }
        Map<String, Object> headers = exchange.getIn().getHeaders();
        if (headers.containsKey(name)) {
            return headers.get(name);
        }
        Map<String, Object> variables = exchange.getVariables();
        if (variables != null && variables.containsKey(name)) {
            return variables.get(name);
        }
        throw new RuntimeExchangeException(String.format(
                "Cannot find key [%s] in message body or headers to use when setting named parameter in query [%s]",
                name, query), exchange);
    }

    static List<String> parameterNames(String query) {
        List<String> order = new ArrayList<>();
        Matcher matcher = NAMED.matcher(query);
        while (matcher.find()) {
            order.add(matcher.group(1));
        }
        return List.copyOf(order);
    }

    private static boolean dynamic(String query) {
        return query.contains(":?$") || query.contains(":?in:");
    }

    /** The values to bind, with each time as untyped text (see the class comment). */
    private record TimesAsText(Iterator<?> values) implements Iterator<Object> {

        @Override
        public boolean hasNext() {
            return values.hasNext();
        }

        @Override
        public Object next() {
            Object value = values.next();
            if (value instanceof OffsetDateTime time) {
                String text = time.toString();
                return (SqlTypeValue) (ps, index, sqlType, typeName) -> ps.setObject(index, text, Types.OTHER);
            }
            return value;
        }
    }
}
