package dev.amowebhook.config;

import dev.amowebhook.store.ParsedOnceSqlStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.component.sql.SqlEndpoint;
import org.apache.camel.spring.boot.CamelContextConfiguration;

/**
 * Gives every camel-sql endpoint of the routes (those added or reloaded later too) the strategy that parses each
 * statement's named parameters once, unless the route chose its own with {@code prepareStatementStrategy}, and
 * keeps batches from committing behind the request's transaction.
 */
class SqlEndpointSetup implements CamelContextConfiguration {

    private final ParsedOnceSqlStrategy strategy = new ParsedOnceSqlStrategy();

    @Override
    public void beforeApplicationStart(CamelContext context) {
        context.getCamelContextExtension().registerEndpointCallback((uri, endpoint) -> {
            // an endpoint with its own strategy or a separator other than camel-sql's default keeps camel-sql's own
            if (endpoint instanceof SqlEndpoint sql && sql.getPrepareStatementStrategy() == null
                    && sql.getSeparator() == ',') {
                sql.setPrepareStatementStrategy(strategy);
            }
            // camel-sql commits the connection after a batch unless Camel runs the transaction; the request's
            // transaction is Spring's (TransactionBoundaries) and must commit once, so no batch commits on its own
            if (endpoint instanceof SqlEndpoint sql) {
                sql.setBatchAutoCommitDisabled(false);
            }
            return endpoint;
        });
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }
}
