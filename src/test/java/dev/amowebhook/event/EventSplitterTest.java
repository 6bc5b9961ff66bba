package dev.amowebhook.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.amowebhook.FormBody;
import dev.amowebhook.http.WebhookRejectedException;
import dev.amowebhook.parse.FormTreeParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One event per item, whatever mix of entities and actions a body carries. */
class EventSplitterTest {

    private final FormTreeParser parser = new FormTreeParser(10_000, 32);
    private final EventSplitter splitter = new EventSplitter();

    @Test
    void aBulkBodyBecomesOneEventPerItemAcrossEntitiesAndActions() {
        List<AmoEvent> events = split(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "name", "first")
                .item("leads[update][1]", "id", "2", "name", "second")
                .item("leads[status][0]", "id", "3", "status_id", "142", "old_status_id", "141")
                .item("contacts[add][0]", "id", "4", "name", "John", "type", "contact")
                .item("task[delete][0]", "id", "5"));

        assertThat(events)
                .extracting(AmoEvent::topic, AmoEvent::entity, AmoEvent::action, AmoEvent::index, AmoEvent::entityId)
                .containsExactly(
                        tuple("leads", "lead", "update", "0", "1"),
                        tuple("leads", "lead", "update", "1", "2"),
                        tuple("leads", "lead", "status", "0", "3"),
                        tuple("contacts", "contact", "add", "0", "4"),
                        tuple("task", "task", "delete", "0", "5"));
        assertThat(events.get(2).data()).containsEntry("old_status_id", "141").containsEntry("status_id", "142");
    }

    @Test
    void itemsComeInNumericIndexOrderNotArrivalOrTextOrder() {
        List<AmoEvent> events = split(FormBody.form()
                .add("leads[update][10][id]", "10")
                .add("leads[update][2][id]", "2")
                .add("leads[update][0][id]", "0")
                .add("leads[update][1][id]", "1"));

        assertThat(events).extracting(AmoEvent::index).containsExactly("0", "1", "2", "10");
        assertThat(events).extracting(AmoEvent::entityId).containsExactly("0", "1", "2", "10");
    }

    @Test
    void lockOrderIsByEntityThenNumericIdWithoutIdLastAndStableWithinAnId() {
        List<AmoEvent> events = splitter.inLockOrder(split(FormBody.form().account()
                .item("leads[update][0]", "id", "10", "name", "ten")
                .item("leads[update][1]", "id", "9")
                .item("leads[status][0]", "id", "10", "status_id", "142")
                .item("leads[update][2]", "name", "no id")
                .item("contacts[add][0]", "id", "100")
                .item("leads[update][3]", "id", "123456789012345678901")));

        assertThat(events).extracting(AmoEvent::entity, AmoEvent::entityId, AmoEvent::action).containsExactly(
                tuple("contact", "100", "add"),
                tuple("lead", "9", "update"),
                tuple("lead", "10", "update"),
                tuple("lead", "10", "status"),
                tuple("lead", "123456789012345678901", "update"),
                tuple("lead", null, "update"));
    }

    @Test
    void everyEventCarriesTheAccountWhetherItCameFirstOrLast() {
        List<AmoEvent> events = split(FormBody.form()
                .item("leads[add][0]", "id", "1")
                .item("contacts[add][0]", "id", "2")
                .add("account[subdomain]", "examplecrm")
                .add("account[id]", "31234567")
                .add("account[_links][self]", "https://examplecrm.amocrm.ru"));

        assertThat(events).hasSize(2)
                .allSatisfy(e -> assertThat(e.account())
                        .isEqualTo(new Account("31234567", "examplecrm", "https://examplecrm.amocrm.ru")));
        assertThat(events.get(0).account().numericId()).isEqualTo(31234567L);
    }

    @Test
    void aBodyWithoutAccountBlockGetsTheUnknownAccount() {
        List<AmoEvent> events = split(FormBody.form().item("leads[add][0]", "id", "1"));

        assertThat(events.get(0).account()).isEqualTo(Account.UNKNOWN);
        assertThat(events.get(0).account().numericId()).isNull();
    }

    @Test
    void companiesSentUnderContactsWithTypeCompanyAreCompanies() {
        List<AmoEvent> events = split(FormBody.form().account()
                .item("contacts[add][0]", "id", "48123999", "name", "Acme", "type", "company")
                .item("contacts[add][1]", "id", "48123456", "name", "John", "type", "contact")
                .item("contacts[update][0]", "id", "48123457", "name", "No type"));

        assertThat(events).extracting(AmoEvent::entity, AmoEvent::entityId)
                .containsExactly(tuple("company", "48123999"), tuple("contact", "48123456"),
                        tuple("contact", "48123457"));
        assertThat(events).extracting(AmoEvent::topic).containsOnly("contacts");
    }

    @Test
    void aCompaniesKeyIsAcceptedAsCompanies() {
        List<AmoEvent> events = split(FormBody.form().account()
                .item("companies[update][0]", "id", "48123999", "name", "Acme"));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("companies");
            assertThat(e.entity()).isEqualTo("company");
            assertThat(e.action()).isEqualTo("update");
        });
    }

    @Test
    void theSingularTaskKeyGivesTaskEvents() throws IOException {
        List<AmoEvent> events = splitter.split(AmoWebhook.of(parser.parse(sample("tasks-add.form"))));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("task");
            assertThat(e.entity()).isEqualTo("task");
            assertThat(e.action()).isEqualTo("add");
            assertThat(e.entityId()).isEqualTo("35123456");
            assertThat(e.data()).containsEntry("text", "Call the client back about delivery");
        });
    }

    @Test
    void notesAreNoteEventsWithTheirNoteWrapperUnwrapped() {
        List<AmoEvent> events = split(FormBody.form().account()
                .item("leads[note][0][note]", "id", "9001", "text", "Called, no answer", "note_type", "4",
                        "element_id", "24567891", "element_type", "2", "created_at", "1732608015")
                .item("contacts[note][0][note]", "id", "9002", "text", "Birthday", "element_type", "1"));

        assertThat(events).hasSize(2);
        AmoEvent leadNote = events.get(0);
        assertThat(leadNote.topic()).isEqualTo("leads");
        assertThat(leadNote.entity()).isEqualTo("note");
        assertThat(leadNote.action()).isEqualTo("note");
        assertThat(leadNote.entityId()).isEqualTo("9001");
        assertThat(leadNote.data()).doesNotContainKey("note")
                .containsEntry("text", "Called, no answer")
                .containsEntry("note_type", "4")
                .containsEntry("element_id", "24567891");
        assertThat(events.get(1).entity()).isEqualTo("note");
        assertThat(events.get(1).topic()).isEqualTo("contacts");
        assertThat(events.get(1).data()).containsEntry("text", "Birthday");
    }

    @Test
    void unknownTopicsAreKeptAsEventsUnderTheirOwnName() {
        List<AmoEvent> events = split(FormBody.form().account()
                .item("catalogs[add][0]", "id", "77", "name", "Price list")
                .item("leads[add][0]", "id", "1"));

        assertThat(events).extracting(AmoEvent::topic, AmoEvent::entity, AmoEvent::action, AmoEvent::entityId)
                .containsExactly(tuple("catalogs", "catalogs", "add", "77"), tuple("leads", "lead", "add", "1"));
    }

    @Test
    void unsortedMessagesAndTalksAreNamedAndKeyedByTheirOwnIds() throws IOException {
        List<AmoEvent> unsorted = splitter.split(AmoWebhook.of(parser.parse(sample("unsorted-add.form"))));
        List<AmoEvent> chat = split(FormBody.form().account()
                .item("message[add][0]", "id", "5f0e-uuid", "chat_id", "c1", "text", "Hi")
                .item("talk[update][0]", "talk_id", "321", "chat_id", "c1", "is_read", "1"));

        assertThat(unsorted).singleElement().satisfies(e -> {
            assertThat(e.entity()).isEqualTo("unsorted");
            assertThat(e.entityId()).isEqualTo("7f3c2a9e41d84b0c9a1e5f6b2d7c8e90a1b2c3d4e5f60718293a4b5c6d7e");
        });
        assertThat(chat).extracting(AmoEvent::entity, AmoEvent::entityId)
                .containsExactly(tuple("message", "5f0e-uuid"), tuple("talk", "321"));
    }

    @Test
    void aScalarTopLevelFieldBecomesAnEventWithItsValue() {
        List<AmoEvent> events = split(FormBody.form().account().add("flag", "1"));

        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.topic()).isEqualTo("flag");
            assertThat(e.entity()).isEqualTo("flag");
            assertThat(e.action()).isEmpty();
            assertThat(e.index()).isEmpty();
            assertThat(e.data()).isEqualTo(Map.of("value", "1"));
            assertThat(e.entityId()).isNull();
        });
    }

    @Test
    void oddShapesStillBecomeEventsWithoutLosingTheirSiblings() {
        List<AmoEvent> events = split(FormBody.form().account()
                .add("leads[add]", "oops")
                .add("leads[update][0]", "scalar item")
                .item("leads[update][1]", "id", "2"));

        assertThat(events).extracting(AmoEvent::action, AmoEvent::index, AmoEvent::data)
                .containsExactly(
                        tuple("add", "", Map.of("value", "oops")),
                        tuple("update", "0", Map.of("value", "scalar item")),
                        tuple("update", "1", Map.of("id", "2")));
    }

    @Test
    void aBodyWithOnlyTheAccountBlockIsRefusedWith400() {
        assertThatThrownBy(() -> split(FormBody.form().account().add("account[_links][self]", "https://x")))
                .isInstanceOfSatisfying(WebhookRejectedException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.reason()).isEqualTo("no_events");
                    assertThat(e.getMessage()).contains("no events");
                });
    }

    @Test
    void anEmptyTreeIsRefusedWith400() {
        assertThatThrownBy(() -> splitter.split(AmoWebhook.of(Map.of())))
                .isInstanceOfSatisfying(WebhookRejectedException.class, e -> assertThat(e.status()).isEqualTo(400));
    }

    @Test
    void theCompanySampleIsACompanyAndTheDigitalPipelineSampleALeadStatus() throws IOException {
        List<AmoEvent> company = splitter.split(AmoWebhook.of(parser.parse(sample("companies-add.form"))));
        List<AmoEvent> dp = splitter.split(AmoWebhook.of(parser.parse(sample("leads-status-dp.form"))));

        assertThat(company).extracting(AmoEvent::entity, AmoEvent::action, AmoEvent::entityId)
                .containsExactly(tuple("company", "add", "48123999"));
        assertThat(dp).extracting(AmoEvent::entity, AmoEvent::action, AmoEvent::entityId)
                .containsExactly(tuple("lead", "status", "24567891"));
        assertThat(dp.get(0).account()).isEqualTo(new Account("31234567", "examplecrm", null));
    }

    private List<AmoEvent> split(FormBody body) {
        return splitter.split(AmoWebhook.of(parser.parse(body.bytes())));
    }

    private static byte[] sample(String name) throws IOException {
        return Files.readAllBytes(Path.of("samples", name));
    }
}
