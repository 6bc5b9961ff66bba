package dev.amowebhook.e2e;

import static dev.amowebhook.FormBody.form;
import static dev.amowebhook.WebhookClient.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.amowebhook.Tables;
import dev.amowebhook.WebhookClient;
import dev.amowebhook.WebhookClient.Answer;
import dev.amowebhook.WebhookServerTest;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/** Every entity and action amoCRM sends, in its wire format, ends up in a table an analyst can query. */
@WebhookServerTest
class EveryEventTypeEndToEndTest {

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    WebhookClient client;

    @BeforeEach
    void setUp() {
        client = new WebhookClient(port);
        Tables.truncateAll(jdbc);
    }

    @Test
    void taskAddUpdateResponsibleAndDelete() {
        assertThat(client.postSigned(sample("tasks-add.form")).count("stored")).isEqualTo(1);
        Map<String, Object> task = jdbc.queryForMap("SELECT * FROM amo_tasks WHERE id = 35123456");
        assertThat(task).containsEntry("element_id", 24567891L).containsEntry("element_type", 2)
                .containsEntry("task_type", "1").containsEntry("text", "Call the client back about delivery")
                .containsEntry("status", 0).containsEntry("responsible_user_id", 10456790L);
        assertThat(task.get("complete_till")).isNotNull();

        client.postSigned(form().account().item("task[update][0]", "id", "35123456", "status", "1",
                "result[text]", "Called, delivery on Friday", "updated_at", "1732610000").bytes());
        client.postSigned(form().account().item("task[responsible][0]", "id", "35123456",
                "responsible_user_id", "10456791", "updated_at", "1732610100").bytes());
        task = jdbc.queryForMap("SELECT * FROM amo_tasks WHERE id = 35123456");
        assertThat(task).containsEntry("status", 1).containsEntry("result", "Called, delivery on Friday")
                .containsEntry("responsible_user_id", 10456791L)
                .containsEntry("text", "Call the client back about delivery");

        client.postSigned(form().account().item("tasks[delete][0]", "id", "35123456").bytes());
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM amo_tasks", Boolean.class)).isTrue();
    }

    @Test
    void notesKeepTheirParentAndUseCreatedAtNotTheLocalTimeString() {
        byte[] body = form().account()
                .item("leads[note][0][note]", "id", "880001", "element_id", "24567891", "element_type", "2",
                        "note_type", "4", "text", "Client asked for a discount", "date_create", "2024-11-26 14:32:10",
                        "created_at", "1732627930", "timestamp_x", "2024-11-26 14:32:10")
                .item("contacts[note][0][note]", "id", "880002", "element_id", "48123999", "element_type", "3",
                        "note_type", "4", "text", "Company note", "created_at", "1732627931")
                .bytes();

        Answer answer = client.postSigned(body);

        assertThat(answer.count("stored")).isEqualTo(2);
        Map<String, Object> note = jdbc.queryForMap("SELECT * FROM amo_notes WHERE id = 880001");
        assertThat(note).containsEntry("parent_entity", "lead").containsEntry("element_id", 24567891L)
                .containsEntry("note_type", "4").containsEntry("text", "Client asked for a discount");
        assertThat(jdbc.queryForObject("SELECT extract(epoch FROM created_at)::bigint FROM amo_notes WHERE id = 880001",
                Long.class)).isEqualTo(1732627930L);
        assertThat(jdbc.queryForObject("SELECT parent_entity FROM amo_notes WHERE id = 880002", String.class))
                .isEqualTo("company");
    }

    @Test
    void unsortedAddThenAcceptIsRecordedAsAcceptedWithTheLead() {
        assertThat(client.postSigned(sample("unsorted-add.form")).count("stored")).isEqualTo(1);
        Map<String, Object> unsorted = jdbc.queryForMap("SELECT * FROM amo_unsorted");
        assertThat(unsorted).containsEntry("status", "new").containsEntry("category", "chats")
                .containsEntry("lead_id", 24567910L).containsEntry("pipeline_id", 7654321L);
        assertThat(jdbc.queryForObject("SELECT contact_ids::text FROM amo_unsorted", String.class)).isEqualTo("[48123460]");
        assertThat(jdbc.queryForObject("SELECT source_data->'client'->>'name' FROM amo_unsorted", String.class))
                .isEqualTo("Ivan Petrov");

        String uid = (String) unsorted.get("uid");
        client.postSigned(form().account().item("unsorted[delete][0]", "uid", uid, "action", "accept",
                "accept_result[leads][0]", "24567910").bytes());

        unsorted = jdbc.queryForMap("SELECT * FROM amo_unsorted");
        assertThat(unsorted).containsEntry("status", "accepted").containsEntry("accepted_lead_id", 24567910L);
        assertThat(unsorted.get("decided_at")).isNotNull();
        assertThat(Tables.count(jdbc, "amo_unsorted")).isEqualTo(1);
    }

    @Test
    void unsortedDeclineAndPlainDelete() {
        client.postSigned(form().account().item("unsorted[delete][0]", "uid", "u-declined", "action", "decline").bytes());
        client.postSigned(form().account().item("unsorted[delete][0]", "uid", "u-deleted").bytes());

        assertThat(jdbc.queryForList("SELECT uid || ':' || status FROM amo_unsorted ORDER BY uid", String.class))
                .containsExactly("u-declined:declined", "u-deleted:deleted");
    }

    @Test
    void messagesAndTalks() {
        byte[] body = form().account()
                .item("message[add][0]", "id", "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "chat_id", "5d2e7c1a-chat",
                        "talk_id", "1201", "contact_id", "48123460", "text", "Привет! Диван ещё есть? 🛋️",
                        "element_id", "24567910", "entity_type", "lead", "author[id]", "u-1",
                        "author[type]", "external", "author[name]", "Ivan Petrov", "origin", "telegram",
                        "created_at", "1732608050")
                .item("talk[add][0]", "talk_id", "1201", "chat_id", "5d2e7c1a-chat", "contact_id", "48123460",
                        "entity_id", "24567910", "entity_type", "lead", "is_in_work", "1", "is_read", "0",
                        "origin", "telegram", "created_at", "1732608050", "updated_at", "1732608050")
                .bytes();

        assertThat(client.postSigned(body).count("stored")).isEqualTo(2);
        Map<String, Object> message = jdbc.queryForMap("SELECT * FROM amo_messages");
        assertThat(message).containsEntry("talk_id", 1201L).containsEntry("contact_id", 48123460L)
                .containsEntry("text", "Привет! Диван ещё есть? 🛋️").containsEntry("origin", "telegram");
        assertThat(jdbc.queryForObject("SELECT author->>'name' FROM amo_messages", String.class)).isEqualTo("Ivan Petrov");
        Map<String, Object> talk = jdbc.queryForMap("SELECT * FROM amo_talks");
        assertThat(talk).containsEntry("id", 1201L).containsEntry("is_in_work", true).containsEntry("is_read", false);

        client.postSigned(form().account().item("talk[update][0]", "talk_id", "1201", "is_read", "1",
                "updated_at", "1732608100").bytes());
        assertThat(jdbc.queryForMap("SELECT * FROM amo_talks")).containsEntry("is_read", true)
                .containsEntry("is_in_work", true);
    }

    @Test
    void customersAddUpdateDelete() {
        client.postSigned(form().account().item("customers[add][0]", "id", "501", "name", "Coffee subscription",
                "next_price", "1500.50", "next_date", "1733000000", "responsible_user_id", "10456789",
                "updated_at", "1732608000").bytes());
        client.postSigned(form().account().item("customers[update][0]", "id", "501", "next_price", "1600",
                "updated_at", "1732608100").bytes());

        Map<String, Object> customer = jdbc.queryForMap("SELECT * FROM amo_customers");
        assertThat(customer).containsEntry("name", "Coffee subscription").containsEntry("responsible_user_id", 10456789L);
        assertThat((BigDecimal) customer.get("next_price")).isEqualByComparingTo("1600");

        client.postSigned(form().account().item("customers[delete][0]", "id", "501").bytes());
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM amo_customers", Boolean.class)).isTrue();
    }

    @Test
    void unknownActionsOfKnownEntitiesAreIgnoredNotGuessed() {
        Answer answer = client.postSigned(form().account()
                .item("leads[mail_in][0]", "id", "24567891", "subject", "Re: order").bytes());

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.count("ignored")).isEqualTo(1);
        assertThat(Tables.count(jdbc, "amo_leads")).isZero();
        assertThat(jdbc.queryForObject("SELECT payload->>'subject' FROM webhook_events", String.class)).isEqualTo("Re: order");
    }

    @Test
    void theSameEventInDifferentRequestsIsAppliedOnce() {
        byte[] first = form().account().item("leads[update][0]", "id", "8001", "name", "Once",
                "updated_at", "1732600000").bytes();
        byte[] otherRequest = form().item("leads[update][0]", "id", "8001", "name", "Once",
                "updated_at", "1732600000").item("leads[update][1]", "id", "8002", "name", "New",
                "updated_at", "1732600000").bytes();

        client.postSigned(first);
        Answer second = client.postSigned(otherRequest);

        assertThat(second.count("duplicate")).isEqualTo(1);
        assertThat(second.count("stored")).isEqualTo(1);
        assertThat(jdbc.queryForList("SELECT outcome FROM webhook_events WHERE entity_id = '8001' ORDER BY id",
                String.class)).containsExactly("stored", "duplicate");
    }

    @Test
    void aDeleteOlderThanTheLatestUpdateDoesNotDelete() {
        client.postSigned(form().account().item("leads[update][0]", "id", "8101", "name", "Alive",
                "updated_at", "1732700000").bytes());

        Answer lateDelete = client.postSigned(form().account().item("leads[delete][0]", "id", "8101",
                "last_modified", "1732600000").bytes());

        assertThat(lateDelete.count("stale")).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT deleted_at FROM amo_leads WHERE id = 8101", Object.class)).isNull();
    }

    @Test
    void aLateAddAfterAnUpdateDoesNotRollItBack() {
        client.postSigned(form().account().item("leads[update][0]", "id", "8201", "name", "Renamed",
                "status_id", "2", "updated_at", "1732700000").bytes());
        Answer lateAdd = client.postSigned(form().account().item("leads[add][0]", "id", "8201", "name", "Original",
                "status_id", "1", "created_at", "1732600000", "updated_at", "1732600000").bytes());

        assertThat(lateAdd.count("stale")).isEqualTo(1);
        assertThat(jdbc.queryForMap("SELECT name, status_id FROM amo_leads WHERE id = 8201"))
                .containsEntry("name", "Renamed").containsEntry("status_id", 2L);
    }

    @Test
    void aMixedRequestOfEveryKindIsStoredCompletely() {
        byte[] body = form()
                .item("leads[add][0]", "id", "9001", "name", "Лид", "updated_at", "1732600000")
                .item("contacts[update][0]", "id", "9002", "name", "Контакт", "type", "contact", "updated_at", "1732600000")
                .item("contacts[add][0]", "id", "9003", "name", "ООО Ромашка", "type", "company", "updated_at", "1732600000")
                .item("task[add][0]", "id", "9004", "text", "Позвонить", "updated_at", "1732600000")
                .item("leads[note][0][note]", "id", "9005", "element_id", "9001", "text", "Заметка")
                .item("customers[add][0]", "id", "9006", "name", "Покупатель", "updated_at", "1732600000")
                .item("talk[add][0]", "talk_id", "9007", "is_read", "0")
                .item("message[add][0]", "id", "m-9008", "talk_id", "9007", "text", "Сообщение")
                .item("unsorted[add][0]", "uid", "u-9009", "category", "forms")
                .item("catalogs[add][0]", "id", "9010")
                .account()
                .bytes();

        Answer answer = client.postSigned(body);

        assertThat(answer.count("events")).isEqualTo(10);
        assertThat(answer.count("stored")).isEqualTo(9);
        assertThat(answer.count("ignored")).isEqualTo(1);
        for (String table : new String[] {"amo_leads", "amo_contacts", "amo_companies", "amo_tasks", "amo_notes",
                "amo_customers", "amo_talks", "amo_messages", "amo_unsorted"}) {
            assertThat(Tables.count(jdbc, table)).as(table).isEqualTo(1);
        }
        assertThat(jdbc.queryForObject("SELECT name FROM amo_companies", String.class)).isEqualTo("ООО Ромашка");
    }
}
