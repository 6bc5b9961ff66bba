package dev.amowebhook.store;

import static dev.amowebhook.store.StoreTestSupport.MAPPER;
import static dev.amowebhook.store.StoreTestSupport.event;
import static dev.amowebhook.store.StoreTestSupport.present;
import static dev.amowebhook.store.StoreTestSupport.readJson;
import static dev.amowebhook.store.StoreTestSupport.request;
import static dev.amowebhook.store.StoreTestSupport.sampleEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amowebhook.FormBody;
import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.InvalidEventException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SQL parameters of a contact or company event: phones, e-mails, linked leads, company link. */
class ContactRowMapperTest {

    private final ContactRowMapper mapper = new ContactRowMapper(StoreTestSupport.json());

    private Map<String, Object> row(AmoEvent event) {
        return mapper.toRow(event, request());
    }

    @Test
    void aContactIsMappedWithPhonesEmailsAndLinkedLeads() throws Exception {
        AmoEvent event = sampleEvent("contacts-add.form");

        Map<String, Object> row = row(event);

        assertThat(row).containsEntry("id", 48123456L)
                .containsEntry("action", "add")
                .containsEntry("name", "John Smith")
                .containsEntry("responsible_user_id", 10456789L)
                .containsEntry("account_id", 31234567L)
                .containsEntry("created_at", OffsetDateTime.of(2024, 11, 26, 8, 0, 20, 0, ZoneOffset.UTC))
                .containsEntry("version", OffsetDateTime.of(2024, 11, 26, 8, 0, 20, 0, ZoneOffset.UTC));
        assertThat(readJson(row.get("phones"))).isEqualTo(MAPPER.readTree("[\"+1 415 555 0134\"]"));
        assertThat(readJson(row.get("emails"))).isEqualTo(MAPPER.readTree("[\"john.smith+crm@example.com\"]"));
        assertThat(readJson(row.get("linked_leads"))).isEqualTo(MAPPER.readTree("[24567891]"));
        assertThat(readJson(row.get("custom_fields")).get(0)).isEqualTo(MAPPER.readTree(
                "{\"id\": 1000001, \"name\": \"Phone\", \"code\": \"PHONE\","
                        + " \"values\": [{\"value\": \"+1 415 555 0134\", \"enum\": 1000101}]}"));
        assertThat(readJson(row.get("payload"))).isEqualTo(MAPPER.valueToTree(event.data()));
        assertThat(present(row)).containsExactlyInAnyOrder("account_id", "name", "responsible_user_id",
                "created_user_id", "modified_user_id", "created_at", "custom_fields", "phones", "emails",
                "linked_leads");
        assertThat(present(row)).doesNotContain("company_name", "linked_company_id", "tags");
    }

    @Test
    void aCompanyFromTheContactsKeyIsMappedTheSameWay() throws Exception {
        AmoEvent event = sampleEvent("companies-add.form");

        Map<String, Object> row = row(event);

        assertThat(event.entity()).isEqualTo("company");
        assertThat(row).containsEntry("id", 48123999L).containsEntry("name", "Acme Logistics LLC");
        assertThat(readJson(row.get("phones"))).isEqualTo(MAPPER.readTree("[\"+1 415 555 0100\"]"));
        assertThat(readJson(row.get("emails"))).isEqualTo(MAPPER.readTree("[]"));
        assertThat(readJson(row.get("linked_leads"))).isEqualTo(MAPPER.readTree("[24567891]"));
        assertThat(readJson(row.get("custom_fields")).get(1).get("values").get(0).get("value").asText())
                .isEqualTo("https://acme.example.com/contact?ref=crm&lang=en");
    }

    @Test
    void linkedLeadsAreTheLeadIdsUsedAsMapKeys() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("contacts[update][0]", "id", "5")
                .add("contacts[update][0][linked_leads_id][24567899][ID]", "24567899")
                .add("contacts[update][0][linked_leads_id][24567891][ID]", "24567891")
                .add("contacts[update][0][linked_leads_id][7][ID]", "7")));

        assertThat(readJson(row.get("linked_leads"))).extracting(n -> n.asLong())
                .containsExactlyInAnyOrder(24567899L, 24567891L, 7L);
        assertThat(present(row)).contains("linked_leads").doesNotContain("phones", "emails");
    }

    @Test
    void linkedLeadsMayComeAsACommaSeparatedList() {
        assertThat(ContactRowMapper.linkedLeads("24567891, 24567892")).containsExactly(24567891L, 24567892L);
        assertThat(ContactRowMapper.linkedLeads("")).isEmpty();
        assertThat(ContactRowMapper.linkedLeads(null)).isEmpty();
    }

    @Test
    void aLinkedLeadKeyThatIsNotALeadIdIsAnInvalidEvent() {
        assertThatThrownBy(() -> row(event(FormBody.form().account()
                .item("contacts[update][0]", "id", "5")
                .add("contacts[update][0][linked_leads_id][abc][ID]", "abc"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("abc");
        assertThatThrownBy(() -> ContactRowMapper.linkedLeads(Map.of("1234567890123456789012", Map.of())))
                .isInstanceOf(InvalidEventException.class);
        assertThatThrownBy(() -> ContactRowMapper.linkedLeads("1,two"))
                .isInstanceOf(InvalidEventException.class);
    }

    @Test
    void aContactWithoutCustomFieldsDoesNotTouchPhonesOrEmails() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("contacts[responsible][0]", "id", "48123456", "responsible_user_id", "10456790",
                        "old_responsible_user_id", "10456789")));

        assertThat(present(row)).containsExactlyInAnyOrder("account_id", "responsible_user_id");
        assertThat(row).containsEntry("responsible_user_id", 10456790L);
    }

    @Test
    void companyNameAndCompanyLinkAreCarriedWhenSent() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("contacts[update][0]", "id", "1", "company_name", "Acme", "linked_company_id", "48123999")));
        Map<String, Object> cleared = row(event(FormBody.form().account()
                .item("contacts[update][0]", "id", "1", "company_name", "", "linked_company_id", "")));

        assertThat(row).containsEntry("company_name", "Acme").containsEntry("linked_company_id", 48123999L);
        assertThat(present(row)).contains("company_name", "linked_company_id");
        assertThat(cleared).containsEntry("company_name", null).containsEntry("linked_company_id", null);
        assertThat(present(cleared)).contains("company_name", "linked_company_id");
    }

    @Test
    void nonNumericIdsAreInvalidEvents() {
        assertThatThrownBy(() -> row(event(FormBody.form().account().item("contacts[add][0]", "id", "x1"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'id'");
        assertThatThrownBy(() -> row(event(FormBody.form().account()
                .item("contacts[add][0]", "id", "1", "linked_company_id", "Acme"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'linked_company_id'");
    }
}
