package dev.amowebhook.config;

import dev.amowebhook.event.Account;
import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.AmoWebhook;
import dev.amowebhook.event.EventSplitter;
import dev.amowebhook.event.RequestAbort;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.http.WebhookAnswers;
import dev.amowebhook.journal.EventJournal;
import dev.amowebhook.journal.RequestJournal;
import dev.amowebhook.parse.WebhookParser;
import dev.amowebhook.store.HeldUpserts;
import dev.amowebhook.store.TransactionBoundaries;
import dev.amowebhook.verify.AccountGuard;
import dev.amowebhook.verify.WebhookAuthenticator;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The steps a webhook request passes through once (verify, parse and the duplicate lookup for every request, the
 * rest for each new one), as processors the routes name with
 * {@code process: {ref: ...}}, for the reason {@link EventSteps} gives: a {@code bean} step binds its method's
 * parameters by reflection on every call (the twelve of a request were 6 % of the server's samples in the
 * single-event scenario). A step whose bean returns something makes it the body, as the bean step did.
 */
@Configuration(proxyBeanMethods = false)
class RequestSteps {

    /** verify-webhook: HMAC signature or URL token. */
    @Bean
    Processor authenticate(WebhookAuthenticator authenticator) {
        return exchange -> authenticator.authenticate(request(exchange));
    }

    /** parse-webhook: the form as a tree. */
    @Bean
    Processor parseForm(WebhookParser parser) {
        return exchange -> exchange.getMessage().setBody(parser.parse(request(exchange)));
    }

    /** parse-webhook: 403 for another amoCRM account. */
    @Bean
    Processor checkAccount(AccountGuard guard) {
        return exchange -> guard.check(exchange.getProperty("amoAccount", Account.class));
    }

    /** find-duplicate: the lookup's parameters. */
    @Bean
    Processor mapDuplicateQuery(RequestJournal journal) {
        return exchange -> exchange.getMessage().setBody(journal.duplicateQuery(exchange));
    }

    /** process-webhook: the request's one transaction. */
    @Bean
    Processor storeInOneTransaction(TransactionBoundaries boundaries) {
        return boundaries::storeRequest;
    }

    /** split-events: one event per item. */
    @Bean
    Processor splitIntoEvents(EventSplitter splitter) {
        return exchange -> exchange.getMessage()
                .setBody(splitter.split(exchange.getMessage().getMandatoryBody(AmoWebhook.class)));
    }

    /** split-events: by entity and id, so concurrent requests lock rows in one order. */
    @Bean
    Processor inLockOrder(EventSplitter splitter) {
        return exchange -> exchange.getMessage().setBody(splitter.inLockOrder(RequestSteps.<AmoEvent>list(exchange)));
    }

    /** split-events: the request's abort holder. */
    @Bean
    Processor openAbortHolder(RequestAbort abort) {
        return abort::open;
    }

    /** split-events: the journal batch, and the already-applied lookup's parameters. */
    @Bean
    Processor openJournalBatch(EventJournal journal) {
        return exchange -> exchange.getMessage().setBody(journal.openRequest(list(exchange), exchange));
    }

    /** split-events: the request's upserts held on its connection (in its fast attempt). */
    @Bean
    Processor openUpsertBatch(HeldUpserts upserts) {
        return upserts::open;
    }

    /** split-events: several held upserts sent, each checked to have stored its event; one kept until the commit. */
    @Bean
    Processor sendUpsertBatch(HeldUpserts upserts) {
        return upserts::send;
    }

    /** split-events: what the lookup found. */
    @Bean
    Processor rememberAppliedEvents(EventJournal journal) {
        return exchange -> journal.rememberApplied(list(exchange), exchange);
    }

    /** accept-request: the webhook_requests row. */
    @Bean
    Processor mapRequestAccepted(RequestJournal journal) {
        return exchange -> exchange.getMessage().setBody(journal.accepted(exchange));
    }

    /** accept-request: the 200 answer. */
    @Bean
    Processor answerAccepted(WebhookAnswers answers) {
        return answers::accepted;
    }

    private static InboundRequest request(Exchange exchange) throws Exception {
        return exchange.getMessage().getMandatoryBody(InboundRequest.class);
    }

    /** The body as the list the previous step left: the request's events, or the rows a lookup found. */
    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Exchange exchange) throws Exception {
        return exchange.getMessage().getMandatoryBody(List.class);
    }
}
