package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static dev.amowebhook.WebhookClient.sample;
import static dev.amowebhook.WebhookClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.FormBody;
import dev.amowebhook.HeldWriteCounts;
import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Real amoCRM bodies posted over HTTP to the running server; the assertions are on PostgreSQL rows. */
@WebhookServerTest
class WebhookEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    MeterRegistry meters;

    HeldWriteCounts held;

    final ObjectMapper mapper = new ObjectMapper();
    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        held = new HeldWriteCounts(meters);
        Tables.truncateAll(jdbc);
    }

    @Test
    void leadAddIsStoredWithTypedColumnsAndJournaled() {
        Answer answer = client.postSigned(sample("leads-add.form"), "req-add-1");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).startsWith("application/json");
        assertThat(answer.headers().firstValueAsLong("Content-Length")).as("sent whole with its length, not chunked")
                .hasValue(answer.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(answer.headers().firstValue("Transfer-Encoding")).isEmpty();
        assertThat(answer.json().path("status").asText()).isEqualTo("accepted");
        assertThat(answer.count("events")).isEqualTo(1);
        assertThat(answer.count("stored")).isEqualTo(1);

        Map<String, Object> lead = jdbc.queryForMap("SELECT * FROM amo_leads WHERE id = 24567891");
        assertThat(lead.get("name")).isEqualTo("Website order #1042");
        assertThat(lead.get("status_id")).isEqualTo(63012345L);
        assertThat(lead.get("pipeline_id")).isEqualTo(7654321L);
        assertThat((BigDecimal) lead.get("price")).isEqualByComparingTo("12500");
        assertThat(lead.get("responsible_user_id")).isEqualTo(10456789L);
        assertThat(lead.get("account_id")).isEqualTo(31234567L);
        assertThat(time(lead.get("created_at"))).isEqualTo(epoch(1732608015));
        assertThat(time(lead.get("updated_at"))).isEqualTo(epoch(1732608015));
        assertThat(lead.get("deleted_at")).isNull();
        assertThat(lead.get("last_action")).isEqualTo("add");
        assertThat(jdbc.queryForObject("SELECT payload->>'name' FROM amo_leads WHERE id = 24567891", String.class))
                .isEqualTo("Website order #1042");

        Map<String, Object> request = jdbc.queryForMap("SELECT * FROM webhook_requests");
        assertThat(request.get("outcome")).isEqualTo("accepted");
        assertThat(request.get("http_status")).isEqualTo(200);
        assertThat(request.get("amo_request_id")).isEqualTo("req-add-1");
        assertThat(request.get("account_id")).isEqualTo(31234567L);
        assertThat(request.get("account_subdomain")).isEqualTo("examplecrm");
        assertThat(request.get("events")).isEqualTo(1);
        assertThat(request.get("stored")).isEqualTo(1);
        assertThat(request.get("id").toString()).isEqualTo(answer.json().path("requestId").asText());

        Map<String, Object> event = jdbc.queryForMap("SELECT * FROM webhook_events");
        assertThat(event).containsEntry("entity", "lead").containsEntry("action", "add")
                .containsEntry("entity_id", "24567891").containsEntry("outcome", "stored");
    }

    @Test
    void customFieldsAndTagsAreStoredAsDocumentedJsonb() throws Exception {
        assertThat(client.postSigned(sample("leads-update-custom-fields.form")).status()).isEqualTo(200);

        JsonNode fields = mapper.readTree(jdbc.queryForObject(
                "SELECT custom_fields::text FROM amo_leads WHERE id = 24567891", String.class));
        assertThat(fields).hasSize(7);
        assertThat(fields.get(0).path("id").asLong()).isEqualTo(1100001);
        assertThat(fields.get(0).path("code").asText()).isEqualTo("UTM_MEDIUM");
        assertThat(fields.get(0).path("values")).isEmpty();
        assertThat(fields.get(2).path("name").asText()).isEqualTo("Lead source");
        assertThat(fields.get(2).path("values").get(0).path("value").asText()).isEqualTo("Website form");
        assertThat(fields.get(2).path("values").get(0).path("enum").asLong()).isEqualTo(2200101);
        assertThat(fields.get(3).path("values")).hasSize(2);
        assertThat(fields.get(3).path("values").get(1).path("value").asText()).isEqualTo("Maintenance");
        assertThat(fields.get(5).path("values").get(0).path("value").asText())
                .isEqualTo("Call after 6 pm, gate code 1234#\nAsk for John & Mary (50% prepaid)");

        assertThat(jdbc.queryForObject("SELECT tags::text FROM amo_leads WHERE id = 24567891", String.class))
                .isEqualTo("[{\"id\": 512301, \"name\": \"website\"}, {\"id\": 512302, \"name\": \"vip\"}]");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM amo_leads WHERE custom_fields @> "
                + "'[{\"id\": 1100102, \"values\": [{\"enum\": 2200203}]}]'", Integer.class)).isEqualTo(1);
    }

    @Test
    void contactsAndCompaniesLandInTheirOwnTables() throws Exception {
        assertThat(client.postSigned(sample("contacts-add.form")).count("stored")).isEqualTo(1);
        assertThat(client.postSigned(sample("companies-add.form")).count("stored")).isEqualTo(1);

        Map<String, Object> contact = jdbc.queryForMap("SELECT * FROM amo_contacts");
        assertThat(contact.get("id")).isEqualTo(48123456L);
        assertThat(contact.get("name")).isEqualTo("John Smith");
        assertThat(jdbc.queryForObject("SELECT phones::text FROM amo_contacts", String.class))
                .isEqualTo("[\"+1 415 555 0134\"]");
        assertThat(jdbc.queryForObject("SELECT emails::text FROM amo_contacts", String.class))
                .isEqualTo("[\"john.smith+crm@example.com\"]");
        assertThat(jdbc.queryForObject("SELECT linked_leads::text FROM amo_contacts", String.class))
                .isEqualTo("[24567891]");

        Map<String, Object> company = jdbc.queryForMap("SELECT * FROM amo_companies");
        assertThat(company.get("id")).isEqualTo(48123999L);
        assertThat(company.get("name")).isEqualTo("Acme Logistics LLC");
        assertThat(mapper.readTree(jdbc.queryForObject("SELECT custom_fields::text FROM amo_companies", String.class))
                .get(1).path("values").get(0).path("value").asText())
                .isEqualTo("https://acme.example.com/contact?ref=crm&lang=en");
        assertThat(Tables.count(jdbc, "amo_contacts")).isEqualTo(1);
    }

    @Test
    void companiesKeyIsAcceptedToo() {
        byte[] body = form().account().item("companies[add][0]", "id", "777", "name", "Globex", "updated_at", "1732608030")
                .bytes();
        assertThat(client.postSigned(body).count("stored")).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_companies WHERE id = 777", String.class)).isEqualTo("Globex");
    }

    @Test
    void sameRequestTwiceChangesNothingTheSecondTime() {
        for (String sample : new String[] {"leads-add.form", "leads-status.form", "leads-status-dp.form",
                "contacts-add.form", "companies-add.form", "leads-delete.form"}) {
            assertThat(client.postSigned(sample(sample)).status()).isEqualTo(200);
        }
        String leads = jdbc.queryForObject("SELECT string_agg(t::text, '|' ORDER BY id) FROM "
                + "(SELECT id, name, status_id, pipeline_id, price, updated_at, deleted_at, custom_fields FROM amo_leads) t",
                String.class);
        int changes = Tables.count(jdbc, "amo_lead_status_changes");
        String contacts = jdbc.queryForObject("SELECT string_agg(t::text, '|') FROM (SELECT id, name, phones FROM amo_contacts) t",
                String.class);

        for (String sample : new String[] {"leads-add.form", "leads-status.form", "leads-status-dp.form",
                "contacts-add.form", "companies-add.form", "leads-delete.form"}) {
            assertThat(client.postSigned(sample(sample)).status()).isEqualTo(200);
        }

        assertThat(jdbc.queryForObject("SELECT string_agg(t::text, '|' ORDER BY id) FROM "
                + "(SELECT id, name, status_id, pipeline_id, price, updated_at, deleted_at, custom_fields FROM amo_leads) t",
                String.class)).isEqualTo(leads);
        assertThat(Tables.count(jdbc, "amo_lead_status_changes")).isEqualTo(changes);
        assertThat(jdbc.queryForObject("SELECT string_agg(t::text, '|') FROM (SELECT id, name, phones FROM amo_contacts) t",
                String.class)).isEqualTo(contacts);
        assertThat(jdbc.queryForList("SELECT id FROM amo_leads ORDER BY id", Long.class)).containsExactly(24567891L, 24567899L);
    }

    @Test
    void aRedeliveryIsAnsweredAsDuplicateAndNotAppliedAgain() {
        Answer first = client.postSigned(sample("leads-status-dp.form"), "retry-1");
        client.postSigned(form().item("leads[status][0]", "id", "24567891", "status_id", "63012345",
                "old_status_id", "63012346", "pipeline_id", "7654321").bytes());

        Answer sameId = client.postSigned(sample("leads-status-dp.form"), "retry-1");
        Answer sameBodyNewId = client.postSigned(sample("leads-status-dp.form"), "retry-2");

        for (Answer retry : new Answer[] {sameId, sameBodyNewId}) {
            assertThat(retry.status()).isEqualTo(200);
            assertThat(retry.json().path("status").asText()).isEqualTo("duplicate");
            assertThat(retry.json().path("duplicateOf").asText()).isEqualTo(first.json().path("requestId").asText());
        }
        assertThat(jdbc.queryForObject("SELECT status_id FROM amo_leads", Long.class))
                .as("the retry did not move the lead back").isEqualTo(63012345L);
        assertThat(Tables.count(jdbc, "amo_lead_status_changes")).isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT outcome FROM webhook_requests ORDER BY received_at", String.class))
                .containsExactly("accepted", "accepted", "duplicate", "duplicate");
    }

    @Test
    void anEmptyRequestIdIsNoRequestId() {
        Answer first = client.postSigned(form().account()
                .item("leads[update][0]", "id", "8101", "name", "First", "updated_at", "1732600000").bytes(), "");
        Answer other = client.postSigned(form().account()
                .item("leads[update][0]", "id", "8102", "name", "Other", "updated_at", "1732600000").bytes(), " ");

        assertThat(first.json().path("status").asText()).isEqualTo("accepted");
        assertThat(other.json().path("status").asText()).as("not a duplicate of another request without an id")
                .isEqualTo("accepted");
        assertThat(jdbc.queryForList("SELECT id FROM amo_leads ORDER BY id", Long.class)).containsExactly(8101L, 8102L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_requests WHERE amo_request_id IS NULL",
                Integer.class)).isEqualTo(2);
    }

    @Test
    void aRequestRejectedBeforeIsNotADuplicateWhenRetried() {
        byte[] body = sample("leads-add.form");
        client.post("/api/webhooks/amo", body, WebhookClient.FORM, "bad", null);

        assertThat(client.postSigned(body).count("stored")).isEqualTo(1);
    }

    @Test
    void anOlderUpdateArrivingLateDoesNotOverwriteTheNewerOne() {
        byte[] newer = form().account().item("leads[update][0]", "id", "1001", "name", "Newer name",
                "price", "200", "updated_at", "1732700000").bytes();
        byte[] older = form().account().item("leads[update][0]", "id", "1001", "name", "Older name",
                "price", "100", "updated_at", "1732600000").bytes();

        assertThat(client.postSigned(newer).count("stored")).isEqualTo(1);
        Answer late = client.postSigned(older);

        assertThat(late.status()).isEqualTo(200);
        assertThat(late.count("stale")).isEqualTo(1);
        Map<String, Object> lead = jdbc.queryForMap("SELECT name, price, updated_at FROM amo_leads WHERE id = 1001");
        assertThat(lead.get("name")).isEqualTo("Newer name");
        assertThat((BigDecimal) lead.get("price")).isEqualByComparingTo("200");
        assertThat(time(lead.get("updated_at"))).isEqualTo(epoch(1732700000));
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_events ORDER BY id DESC LIMIT 1", String.class))
                .isEqualTo("stale");
    }

    @Test
    void aSingleEventsWritesGoWithTheCommitAndAStaleOneIsFoundThereAndJournaledStale() {
        double storedBefore = held.upserts("stored");
        double writesBefore = held.writes("stored");
        Answer newer = client.postSigned(form().account().item("leads[update][0]", "id", "1011", "name", "Newer",
                "updated_at", "1732700000").bytes(), "req-single-newer");
        assertThat(newer.count("stored")).isEqualTo(1);
        assertThat(held.upserts("stored") - storedBefore).as("its upsert was held and sent with the commit")
                .isEqualTo(1);
        assertThat(held.writes("stored") - writesBefore).as("with the event's and the request's journal rows")
                .isEqualTo(3);
        double retriedBefore = held.batches("retried");
        double staleBefore = leadUpdates("stale");
        double acceptedBefore = acceptedRequests();

        Answer older = client.postSigned(form().account().item("leads[update][0]", "id", "1011", "name", "Older",
                "updated_at", "1732600000").bytes(), "req-single-older");

        assertThat(older.status()).isEqualTo(200);
        assertThat(older.count("stored")).isZero();
        assertThat(older.count("stale")).as("reported stored while held; the commit's count said otherwise")
                .isEqualTo(1);
        assertThat(held.batches("retried") - retriedBefore).as("stored again event by event").isEqualTo(1);
        assertThat(leadUpdates("stale") - staleBefore).as("counted once, as committed").isEqualTo(1);
        assertThat(acceptedRequests() - acceptedBefore).as("the request too, not once per attempt").isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 1011", String.class)).isEqualTo("Newer");
        assertThat(Tables.eventOutcomes(jdbc, "req-single-older")).containsExactly("1011=stale");
        assertThat(jdbc.queryForList("SELECT outcome || ' stored=' || stored || ' stale=' || stale FROM webhook_requests"
                + " WHERE amo_request_id = 'req-single-older'", String.class))
                .as("one journal row: the first attempt's was rolled back with it").containsExactly("accepted stored=0 stale=1");
    }

    @Test
    void lastModifiedDecidesWhenUpdatedAtIsAbsent() {
        client.postSigned(form().item("leads[update][0]", "id", "1002", "name", "B", "last_modified", "2000").bytes());
        client.postSigned(form().item("leads[update][0]", "id", "1002", "name", "A", "last_modified", "1000").bytes());

        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 1002", String.class)).isEqualTo("B");
    }

    @Test
    void digitalPipelineBodyMovesTheStageWithoutBlankingOtherFields() {
        client.postSigned(sample("leads-update-custom-fields.form"));

        Answer answer = client.postSigned(sample("leads-status-dp.form"));

        assertThat(answer.count("stored")).isEqualTo(1);
        Map<String, Object> lead = jdbc.queryForMap("SELECT * FROM amo_leads WHERE id = 24567891");
        assertThat(lead.get("status_id")).isEqualTo(63012346L);
        assertThat(lead.get("name")).isEqualTo("Website order #1042");
        assertThat((BigDecimal) lead.get("price")).isEqualByComparingTo("12500");
        assertThat(lead.get("responsible_user_id")).isEqualTo(10456789L);
        assertThat(lead.get("custom_fields")).isNotNull();
        assertThat(lead.get("tags")).isNotNull();
        assertThat(time(lead.get("updated_at"))).isEqualTo(epoch(1732611600));
        assertThat(jdbc.queryForObject("SELECT payload->>'name' FROM amo_leads WHERE id = 24567891", String.class))
                .as("partial payload merges into the stored one").isEqualTo("Website order #1042");

        Map<String, Object> change = jdbc.queryForMap("SELECT * FROM amo_lead_status_changes");
        assertThat(change).containsEntry("lead_id", 24567891L).containsEntry("old_status_id", 63012345L)
                .containsEntry("status_id", 63012346L).containsEntry("old_pipeline_id", 7654321L)
                .containsEntry("pipeline_id", 7654321L);
    }

    @Test
    void everyStageChangeIsKeptAsHistory() {
        client.postSigned(sample("leads-add.form"));
        client.postSigned(sample("leads-status-dp.form"));
        client.postSigned(sample("leads-status.form"));

        assertThat(jdbc.queryForList("SELECT old_status_id, status_id FROM amo_lead_status_changes ORDER BY id"))
                .extracting(row -> row.get("old_status_id") + "->" + row.get("status_id"))
                .containsExactly("63012345->63012346", "63012346->142");
        assertThat(jdbc.queryForObject("SELECT changed_at FROM amo_lead_status_changes WHERE status_id = 142",
                OffsetDateTime.class)).isEqualTo(epoch(1732615200));
        assertThat(jdbc.queryForObject("SELECT status_id FROM amo_leads WHERE id = 24567891", Long.class))
                .isEqualTo(142L);
    }

    @Test
    void deleteIsSoftAndRestoreClearsIt() {
        client.postSigned(form().account().item("leads[add][0]", "id", "2001", "name", "Keep me",
                "updated_at", "1732600000").bytes());
        client.postSigned(form().account().item("leads[delete][0]", "id", "2001", "status_id", "143",
                "pipeline_id", "7654321").bytes());

        Map<String, Object> deleted = jdbc.queryForMap("SELECT * FROM amo_leads WHERE id = 2001");
        assertThat(deleted.get("deleted_at")).isNotNull();
        assertThat(deleted.get("name")).isEqualTo("Keep me");

        client.postSigned(form().account().item("leads[restore][0]", "id", "2001", "name", "Keep me",
                "updated_at", "1732600100").bytes());

        assertThat(jdbc.queryForMap("SELECT * FROM amo_leads WHERE id = 2001").get("deleted_at")).isNull();
    }

    @Test
    void contactDeleteAndRestore() {
        client.postSigned(sample("contacts-add.form"));
        client.postSigned(form().account().item("contacts[delete][0]", "id", "48123456", "type", "contact").bytes());
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM amo_contacts", Boolean.class)).isTrue();
        client.postSigned(form().account().item("contacts[restore][0]", "id", "48123456", "type", "contact",
                "updated_at", "1732608099").bytes());
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NULL FROM amo_contacts", Boolean.class)).isTrue();
        assertThat(jdbc.queryForObject("SELECT name FROM amo_contacts", String.class)).isEqualTo("John Smith");
    }

    @Test
    void aBulkRequestWithSeveralEntitiesAndActionsStoresEveryItem() {
        byte[] body = form()
                .item("leads[update][0]", "id", "3001", "name", "First", "updated_at", "1732600000")
                .item("leads[update][1]", "id", "3002", "name", "Second", "updated_at", "1732600000")
                .item("leads[status][0]", "id", "3003", "status_id", "142", "old_status_id", "100",
                        "pipeline_id", "1", "updated_at", "1732600000")
                .item("contacts[update][0]", "id", "4001", "name", "Ivan", "type", "contact", "updated_at", "1732600000")
                .item("contacts[add][0]", "id", "5001", "name", "Initech", "type", "company", "updated_at", "1732600000")
                .account()
                .bytes();

        Answer answer = client.postSigned(body);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("events")).isEqualTo(5);
        assertThat(answer.count("stored")).isEqualTo(5);
        assertThat(Tables.count(jdbc, "amo_leads")).isEqualTo(3);
        assertThat(Tables.count(jdbc, "amo_contacts")).isEqualTo(1);
        assertThat(Tables.count(jdbc, "amo_companies")).isEqualTo(1);
        assertThat(Tables.count(jdbc, "amo_lead_status_changes")).isEqualTo(1);
        assertThat(Tables.count(jdbc, "webhook_events")).isEqualTo(5);
    }

    @Test
    void aBulkEditOfFiftyLeadsIsStoredWithItsUpsertsSentAsOneBatch() {
        FormBody bulk = form().account();
        for (int i = 0; i < 50; i++) {
            bulk.item("leads[update][" + i + "]", "id", String.valueOf(8000 + i), "name", "Bulk " + i,
                    "price", String.valueOf(i), "updated_at", "1732600000");
        }
        double batchedBefore = held.upserts("stored");
        double batchesBefore = held.batches("stored");

        Answer answer = client.postSigned(bulk.bytes());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("events")).isEqualTo(50);
        assertThat(answer.count("stored")).isEqualTo(50);
        assertThat(held.batches("stored") - batchesBefore).as("one batch").isEqualTo(1);
        assertThat(held.upserts("stored") - batchedBefore).as("of 50 upserts").isEqualTo(50);
        assertThat(jdbc.queryForList("SELECT name FROM amo_leads ORDER BY id", String.class))
                .hasSize(50).startsWith("Bulk 0", "Bulk 1").endsWith("Bulk 49");
        assertThat(jdbc.queryForObject("SELECT sum(price) FROM amo_leads", BigDecimal.class))
                .isEqualByComparingTo("1225");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM webhook_events WHERE outcome = 'stored'", Integer.class))
                .isEqualTo(50);
    }

    @Test
    void aStaleEventInABulkEditIsFoundWhenTheBatchIsSentAndTheRequestStoredEventByEvent() {
        client.postSigned(form().account().item("leads[update][0]", "id", "7002", "name", "Newer",
                "updated_at", "1732700000").bytes());
        byte[] bulk = form().account()
                .item("leads[update][0]", "id", "7001", "name", "First", "updated_at", "1732600000")
                .item("leads[update][1]", "id", "7002", "name", "Older", "updated_at", "1732600000")
                .item("leads[update][2]", "id", "7003", "name", "Third", "updated_at", "1732600000")
                .bytes();
        double retriedBefore = held.upserts("retried");
        double storedBefore = leadUpdates("stored");

        Answer answer = client.postSigned(bulk, "req-bulk-stale");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("stored")).isEqualTo(2);
        assertThat(answer.count("stale")).as("the batch reported it stored; its count said otherwise").isEqualTo(1);
        assertThat(held.upserts("retried") - retriedBefore).isEqualTo(3);
        assertThat(leadUpdates("stored") - storedBefore).as("counted once, as committed").isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT name FROM amo_leads ORDER BY id", String.class))
                .containsExactly("First", "Newer", "Third");
        assertThat(Tables.eventOutcomes(jdbc, "req-bulk-stale"))
                .containsExactly("7001=stored", "7002=stale", "7003=stored");
        assertThat(jdbc.queryForObject("SELECT stale FROM webhook_requests WHERE amo_request_id = 'req-bulk-stale'",
                Integer.class)).isEqualTo(1);
    }

    @Test
    void aStaleEventFoundWhenAnotherStatementSendsTheBatchFirstIsJournaledAsStale() {
        client.postSigned(form().account().item("leads[update][0]", "id", "7102", "name", "Newer",
                "updated_at", "1732700000").bytes());
        // lead 7103 moves stage: its status-change insert sends the held upserts of 7101 and 7102 before it runs
        byte[] bulk = form().account()
                .item("leads[update][0]", "id", "7101", "name", "First", "updated_at", "1732600000")
                .item("leads[update][1]", "id", "7102", "name", "Older", "updated_at", "1732600000")
                .item("leads[status][0]", "id", "7103", "status_id", "142", "old_status_id", "100",
                        "pipeline_id", "1", "updated_at", "1732600000")
                .bytes();
        double retriedBefore = held.batches("retried");
        double retriedUpsertsBefore = held.upserts("retried");

        Answer answer = client.postSigned(bulk, "req-bulk-stale-2");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("stored")).isEqualTo(2);
        assertThat(answer.count("stale")).isEqualTo(1);
        assertThat(held.batches("retried") - retriedBefore).isEqualTo(1);
        assertThat(held.upserts("retried") - retriedUpsertsBefore).as("7101 and 7102, sent before 7103's insert")
                .isEqualTo(2);
        assertThat(jdbc.queryForList("SELECT name FROM amo_leads WHERE id IN (7101, 7102) ORDER BY id", String.class))
                .containsExactly("First", "Newer");
        assertThat(Tables.count(jdbc, "amo_lead_status_changes")).isEqualTo(1);
        assertThat(Tables.eventOutcomes(jdbc, "req-bulk-stale-2"))
                .containsExactly("7101=stored", "7102=stale", "7103=stored");
    }

    @Test
    void aFailingEventIsDeadLetteredWhileItsSiblingsAreStored() throws Exception {
        byte[] body = form().account()
                .item("leads[update][0]", "id", "6001", "name", "Good before", "updated_at", "1732600000")
                .item("leads[update][1]", "id", "6002", "name", "Broken", "status_id", "not-a-number")
                .item("leads[update][2]", "id", "6003", "name", "Good after", "updated_at", "1732600000")
                .bytes();

        double storedBefore = leadUpdates("stored");
        double deadLetteredBefore = leadUpdates("dead-lettered");

        Answer answer = client.postSigned(body, "req-dlq-1");

        assertThat(answer.status()).as("every event is durably kept").isEqualTo(200);
        assertThat(answer.count("stored")).isEqualTo(2);
        assertThat(answer.count("deadLettered")).isEqualTo(1);
        // the first attempt (no savepoints) journaled "Good before" and was rolled back: counted once, as committed
        assertThat(leadUpdates("stored") - storedBefore).as("stored events counted").isEqualTo(2);
        assertThat(leadUpdates("dead-lettered") - deadLetteredBefore).as("dead-lettered events counted").isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT id FROM amo_leads ORDER BY id", Long.class)).containsExactly(6001L, 6003L);

        Map<String, Object> dead = jdbc.queryForMap("SELECT * FROM dead_letters");
        assertThat(dead).containsEntry("entity", "lead").containsEntry("action", "update")
                .containsEntry("entity_id", "6002").containsEntry("status", "pending")
                .containsEntry("amo_request_id", "req-dlq-1").containsEntry("route_id", "route-event")
                .containsEntry("failed_endpoint", "direct://store-lead");
        assertThat(dead.get("error_class")).isEqualTo("dev.amowebhook.event.InvalidEventException");
        assertThat((String) dead.get("error_message")).contains("status_id").contains("not-a-number");
        JsonNode payload = mapper.readTree(jdbc.queryForObject("SELECT payload::text FROM dead_letters", String.class));
        assertThat(payload.path("topic").asText()).isEqualTo("leads");
        assertThat(payload.path("action").asText()).isEqualTo("update");
        assertThat(payload.path("data").path("status_id").asText()).isEqualTo("not-a-number");
        assertThat(payload.path("data").path("name").asText()).isEqualTo("Broken");
        assertThat(jdbc.queryForObject("SELECT outcome FROM webhook_events WHERE entity_id = '6002'", String.class))
                .isEqualTo("dead-lettered");
        assertThat(jdbc.queryForObject("SELECT dead_lettered FROM webhook_requests", Integer.class)).isEqualTo(1);
    }

    @Test
    void eventsTheServerDoesNotModelAreAcknowledgedAndKept() {
        byte[] body = form().account()
                .item("leads[mail_in][0]", "id", "35123456", "text", "Call back")
                .item("catalogs[add][0]", "id", "9", "name", "Something new")
                .add("brand_new_flag", "1")
                .bytes();

        Answer answer = client.postSigned(body);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("ignored")).isEqualTo(3);
        assertThat(jdbc.queryForList("SELECT topic || ':' || action || ':' || coalesce(payload->>'text', "
                + "payload->>'name', payload->>'value') FROM webhook_events ORDER BY id", String.class))
                .containsExactlyInAnyOrder("leads:mail_in:Call back", "catalogs:add:Something new", "brand_new_flag::1");
    }

    @Test
    void cyrillicEmojiAndNewlinesRoundTripByteExact() {
        String name = "Заказ №42 — «Иван» 🚀\nвторая строка\tтаб ₽ & = # %";
        Answer answer = client.postSigned(form().account().item("leads[add][0]", "id", "7001", "name", name).bytes());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT name FROM amo_leads WHERE id = 7001", String.class)).isEqualTo(name);
    }

    @Test
    void accountBlockMayComeFirstOrLast() {
        client.postSigned(sample("leads-update-custom-fields.form"));
        assertThat(jdbc.queryForObject("SELECT account_subdomain FROM webhook_requests", String.class))
                .isEqualTo("examplecrm");
    }

    @Test
    void badSignatureIs401AndWritesOnlyTheJournal() {
        byte[] body = sample("leads-add.form");
        Answer answer = client.post("/api/webhooks/amo", body, WebhookClient.FORM, "00" + "ab".repeat(31), null);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().path("error").asText()).isEqualTo("Invalid signature");
        assertThat(answer.json().path("code").asText()).isEqualTo("invalid_signature");
        assertNothingStoredButTheRejection("invalid_signature", 401);
    }

    @Test
    void missingSignatureIs401() {
        Answer answer = client.post("/api/webhooks/amo", sample("leads-add.form"), WebhookClient.FORM, null, null);

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.json().path("error").asText()).startsWith("Missing signature");
        assertNothingStoredButTheRejection("missing_signature", 401);
    }

    @Test
    void aSignatureByAPreviousSecretIsStillAccepted() {
        byte[] body = sample("leads-add.form");
        String signature = dev.amowebhook.verify.HmacSha256.signHex(WebhookServerTest.PREVIOUS_SECRET, body);
        assertThat(client.post("/api/webhooks/amo", body, WebhookClient.FORM, signature, null).status()).isEqualTo(200);
    }

    @Test
    void aBodyThatIsNotAFormIs400() {
        byte[] json = utf8("{\"leads\":{\"add\":[{\"id\":1}]}}");
        Answer answer = client.post("/api/webhooks/amo", json, "application/json",
                dev.amowebhook.verify.HmacSha256.signHex(WebhookServerTest.SECRET, json), null);

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("error").asText()).contains("application/x-www-form-urlencoded");
        assertNothingStoredButTheRejection("not_a_form", 400);
    }

    @Test
    void aMalformedFormIs400NamingTheProblem() {
        Answer answer = client.postSigned(utf8("leads%5Badd%5D%5B0%5D%5Bid%5D=1&flag"));

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("error").asText()).contains("'flag'");
        assertNothingStoredButTheRejection("malformed_form", 400);
    }

    @Test
    void aFormWithNoEntitiesIs400() {
        Answer answer = client.postSigned(form().account().bytes());

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.json().path("error").asText()).contains("no events");
        assertNothingStoredButTheRejection("no_events", 400);
    }

    @Test
    void anEmptyBodyIs400() {
        Answer answer = client.postSigned(new byte[0]);

        assertThat(answer.status()).isEqualTo(400);
        assertNothingStoredButTheRejection("empty_body", 400);
    }

    @Test
    void healthReportsDatabaseAndRoutes() {
        Answer health = client.get("/api/webhooks/amo/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("UP");
        assertThat(health.json().path("database").path("status").asText()).isEqualTo("UP");
        assertThat(health.json().path("routes").path("routes").path("receive-webhook").asText()).isEqualTo("Started");
    }

    @Test
    void testEndpointAnswersJson() {
        Answer test = client.get("/api/webhooks/amo/test");

        assertThat(test.status()).isEqualTo(200);
        assertThat(test.json().path("status").asText()).isEqualTo("ok");
    }

    private void assertNothingStoredButTheRejection(String cause, int status) {
        assertThat(Tables.entityCounts(jdbc)).isEqualTo("0/0/0/0/0/0");
        Map<String, Object> request = jdbc.queryForMap("SELECT * FROM webhook_requests");
        assertThat(request).containsEntry("outcome", "rejected").containsEntry("error_code", cause)
                .containsEntry("http_status", status);
    }

    private static OffsetDateTime time(Object value) {
        return value instanceof OffsetDateTime t ? t.withOffsetSameInstant(ZoneOffset.UTC)
                : ((java.sql.Timestamp) value).toInstant().atOffset(ZoneOffset.UTC);
    }

    private static OffsetDateTime epoch(long seconds) {
        return OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
    }

    private double acceptedRequests() {
        return meters.find("amocrm_webhook_requests").tags("outcome", "accepted").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private double leadUpdates(String outcome) {
        var counter = meters.find("amocrm_webhook_events").tags("entity", "lead", "action", "update", "outcome", outcome)
                .counter();
        return counter == null ? 0 : counter.count();
    }
}
