package dev.amowebhook.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.deadletter.DeadLetterRecorder;
import dev.amowebhook.event.EventHeaders;
import dev.amowebhook.event.EventOutcomeTally;
import dev.amowebhook.event.EventSplitter;
import dev.amowebhook.event.ExtensionPoints;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import dev.amowebhook.store.HeldUpserts;
import dev.amowebhook.store.TransactionBoundaries;
import dev.amowebhook.store.TransientRetries;
import dev.amowebhook.event.RequestAbort;
import dev.amowebhook.http.HealthReport;
import dev.amowebhook.http.InboundRequestReader;
import dev.amowebhook.http.WebhookAnswers;
import dev.amowebhook.http.WebhookMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import dev.amowebhook.http.WebhookProperties;
import dev.amowebhook.journal.EventJournal;
import dev.amowebhook.journal.RequestJournal;
import dev.amowebhook.parse.FormTreeParser;
import dev.amowebhook.parse.WebhookParser;
import dev.amowebhook.store.ContactRowMapper;
import dev.amowebhook.store.Json;
import dev.amowebhook.store.CustomerRowMapper;
import dev.amowebhook.store.TalkRowMapper;
import dev.amowebhook.store.MessageRowMapper;
import dev.amowebhook.store.UnsortedRowMapper;
import dev.amowebhook.store.NoteRowMapper;
import dev.amowebhook.store.TaskRowMapper;
import dev.amowebhook.store.LeadRowMapper;
import dev.amowebhook.store.StoreOutcome;
import dev.amowebhook.verify.AccountGuard;
import dev.amowebhook.verify.DisconnectHookVerifier;
import dev.amowebhook.verify.WebhookAuthenticator;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The beans the YAML routes call by name, one per job of the flow. */
@Configuration(proxyBeanMethods = false)
class FlowBeans {

    @Bean
    SqlEndpointSetup sqlEndpointSetup() {
        return new SqlEndpointSetup();
    }

    @Bean
    InboundRequestReader inboundRequestReader() {
        return new InboundRequestReader();
    }

    @Bean
    WebhookAuthenticator webhookAuthenticator(WebhookProperties webhook,
                                              @Value("${amocrm.webhook.tokens:}") List<String> tokens,
                                              @Value("${amocrm.webhook.auth-enabled:true}") boolean enabled) {
        return new WebhookAuthenticator(webhook, tokens, enabled);
    }

    @Bean
    AccountGuard accountGuard(@Value("${amocrm.domain:}") String domain,
                              @Value("${amocrm.account-id:}") String accountId) {
        return new AccountGuard(domain, accountId);
    }

    @Bean
    DisconnectHookVerifier disconnectHookVerifier(@Value("${amocrm.client-id:}") String clientId,
                                                  WebhookProperties webhook) {
        return new DisconnectHookVerifier(clientId, webhook.activeSecrets());
    }

    @Bean
    WebhookParser webhookParser(WebhookProperties webhook) {
        return new WebhookParser(new FormTreeParser(webhook.maxFields(), webhook.maxDepth()));
    }

    @Bean
    EventSplitter eventSplitter() {
        return new EventSplitter();
    }

    @Bean
    EventOutcomeTally eventOutcomeTally() {
        return new EventOutcomeTally();
    }

    @Bean
    ExtensionPoints extensionPoints(CamelContext camel, ProducerTemplate producer) {
        return new ExtensionPoints(camel, producer);
    }

    @Bean
    TransactionBoundaries transactionBoundaries(PlatformTransactionManager transactions, ProducerTemplate producer,
            @Value("${amocrm.dead-letter.transient-retries}") int retries,
            @Value("${amocrm.dead-letter.retry-delay-ms}") long delayMs,
            @Value("${amocrm.dead-letter.backoff-multiplier}") double multiplier) {
        return new TransactionBoundaries(transactions, producer, new TransientRetries(retries, delayMs, multiplier));
    }

    @Bean
    HeldUpserts heldUpserts(DataSource dataSource) {
        return new HeldUpserts(dataSource);
    }

    @Bean
    EventHeaders eventHeaders() {
        return new EventHeaders();
    }

    @Bean
    Json json(ObjectMapper mapper) {
        return new Json(mapper);
    }

    @Bean
    LeadRowMapper leadRowMapper(Json json) {
        return new LeadRowMapper(json);
    }

    @Bean
    ContactRowMapper contactRowMapper(Json json) {
        return new ContactRowMapper(json);
    }

    @Bean
    TaskRowMapper taskRowMapper(Json json) {
        return new TaskRowMapper(json);
    }

    @Bean
    NoteRowMapper noteRowMapper(Json json) {
        return new NoteRowMapper(json);
    }

    @Bean
    UnsortedRowMapper unsortedRowMapper(Json json) {
        return new UnsortedRowMapper(json);
    }

    @Bean
    MessageRowMapper messageRowMapper(Json json) {
        return new MessageRowMapper(json);
    }

    @Bean
    TalkRowMapper talkRowMapper(Json json) {
        return new TalkRowMapper(json);
    }

    @Bean
    CustomerRowMapper customerRowMapper(Json json) {
        return new CustomerRowMapper(json);
    }

    @Bean
    StoreOutcome storeOutcome() {
        return new StoreOutcome();
    }

    @Bean
    EventJournal eventJournal(Json json) {
        return new EventJournal(json);
    }

    @Bean
    RequestJournal requestJournal(@Value("${amocrm.webhook.dedupe-window:PT2H}") Duration dedupeWindow) {
        return new RequestJournal(dedupeWindow);
    }

    @Bean
    DeadLetterRecorder deadLetterRecorder(Json json) {
        return new DeadLetterRecorder(json);
    }

    @Bean
    RequestAbort requestAbort() {
        return new RequestAbort();
    }

    @Bean
    WebhookAnswers webhookAnswers(ObjectMapper mapper, WebhookMetrics metrics) {
        return new WebhookAnswers(mapper, metrics);
    }

    @Bean
    WebhookMetrics webhookMetrics(MeterRegistry registry) {
        return new WebhookMetrics(registry);
    }

    @Bean
    HealthReport healthReport(DataSource dataSource, ObjectMapper mapper) {
        return new HealthReport(dataSource, mapper);
    }
}
