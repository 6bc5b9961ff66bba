package dev.amowebhook.store;

import static dev.amowebhook.store.StoreTestSupport.MAPPER;
import static dev.amowebhook.store.StoreTestSupport.RECEIVED_AT;
import static dev.amowebhook.store.StoreTestSupport.REQUEST_ID;
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
import dev.amowebhook.http.Flow;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/** The SQL parameters of a lead event: typed values, which columns it carried, and whether the stage changed. */
class LeadRowMapperTest {

    private final LeadRowMapper mapper = new LeadRowMapper(StoreTestSupport.json());

    private Map<String, Object> row(AmoEvent event) {
        return mapper.toRow(event, request());
    }

    private static OffsetDateTime utc(long seconds) {
        return OffsetDateTime.ofInstant(java.time.Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
    }

    @Test
    void aNewLeadIsMappedToTypedColumns() throws Exception {
        AmoEvent event = sampleEvent("leads-add.form");

        Map<String, Object> row = row(event);

        assertThat(row).containsEntry("id", 24567891L)
                .containsEntry("action", "add")
                .containsEntry("name", "Website order #1042")
                .containsEntry("status_id", 63012345L)
                .containsEntry("pipeline_id", 7654321L)
                .containsEntry("responsible_user_id", 10456789L)
                .containsEntry("created_user_id", 10456789L)
                .containsEntry("modified_user_id", 10456789L)
                .containsEntry("account_id", 31234567L)
                .containsEntry("created_at", utc(1732608015L))
                .containsEntry("version", utc(1732608015L))
                .containsEntry("request_id", REQUEST_ID.toString())
                .containsEntry("received_at", OffsetDateTime.ofInstant(RECEIVED_AT, ZoneOffset.UTC))
                .containsEntry("stage_changed", false)
                .doesNotContainKey("custom_field_list");
        assertThat((BigDecimal) row.get("price")).isEqualByComparingTo("12500");
        assertThat(readJson(row.get("payload"))).isEqualTo(MAPPER.valueToTree(event.data()));
        assertThat(present(row)).containsExactlyInAnyOrder("account_id", "name", "responsible_user_id",
                "created_user_id", "modified_user_id", "created_at", "status_id", "pipeline_id", "price");
    }

    @Test
    void asARouteStepTheRowOfTheExchangesEventAndRequestBecomesTheBody() throws Exception {
        AmoEvent event = sampleEvent("leads-add.form");
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.setProperty(Flow.EVENT, event);
        exchange.setProperty(Flow.REQUEST, request());
        exchange.getIn().setBody("the event before mapping");

        mapper.process(exchange);

        assertThat(exchange.getIn().getBody()).isEqualTo(row(event));
    }

    @Test
    void aDigitalPipelineBodyCarriesOnlyTheStageColumnsAndNeverNameOrPrice() {
        Map<String, Object> row = row(sampleEvent("leads-status-dp.form"));

        assertThat(present(row)).containsExactlyInAnyOrder("account_id", "status_id", "pipeline_id");
        assertThat(present(row)).doesNotContain("name", "price", "custom_fields", "tags", "responsible_user_id",
                "created_at");
        assertThat(row).containsEntry("id", 24567891L)
                .containsEntry("action", "status")
                .containsEntry("status_id", 63012346L)
                .containsEntry("old_status_id", 63012345L)
                .containsEntry("pipeline_id", 7654321L)
                .containsEntry("old_pipeline_id", 7654321L)
                .containsEntry("account_id", 31234567L) // from the account block
                .containsEntry("version", null)
                .containsEntry("stage_changed", true);
    }

    @Test
    void aStatusEventIsAStageChange() {
        Map<String, Object> row = row(sampleEvent("leads-status.form"));

        assertThat(row).containsEntry("stage_changed", true)
                .containsEntry("status_id", 142L)
                .containsEntry("old_status_id", 63012346L)
                .containsEntry("version", utc(1732615200L));
    }

    @Test
    void aStatusEventWithoutOldStatusIsStillAStageChange() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("leads[status][0]", "id", "1", "status_id", "142", "pipeline_id", "7654321")));

        assertThat(row).containsEntry("stage_changed", true).containsEntry("old_status_id", null);
    }

    @Test
    void anUpdateWithADifferentOldStatusIsAStageChange() {
        Map<String, Object> moved = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "status_id", "142", "old_status_id", "141")));
        Map<String, Object> same = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "status_id", "142", "old_status_id", "142")));
        Map<String, Object> none = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "status_id", "142", "name", "x")));
        Map<String, Object> pipeline = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "status_id", "142", "old_status_id", "142",
                        "pipeline_id", "2", "old_pipeline_id", "1")));

        assertThat(moved).containsEntry("stage_changed", true);
        assertThat(same).containsEntry("stage_changed", false);
        assertThat(none).containsEntry("stage_changed", false);
        assertThat(pipeline).containsEntry("stage_changed", true);
    }

    @Test
    void addResponsibleAndDeleteEventsAreNotStageChanges() {
        assertThat(row(sampleEvent("leads-add.form"))).containsEntry("stage_changed", false);
        assertThat(row(event(FormBody.form().account().item("leads[responsible][0]", "id", "1",
                "responsible_user_id", "2", "old_responsible_user_id", "3")))).containsEntry("stage_changed", false);
        assertThat(row(sampleEvent("leads-delete.form"))).containsEntry("stage_changed", false);
    }

    @Test
    void aDeleteCarriesOnlyIdStatusAndPipeline() {
        Map<String, Object> row = row(sampleEvent("leads-delete.form"));

        assertThat(row).containsEntry("id", 24567899L).containsEntry("action", "delete")
                .containsEntry("status_id", 143L);
        assertThat(present(row)).containsExactlyInAnyOrder("account_id", "status_id", "pipeline_id");
    }

    @Test
    void anEmptyPriceIsCarriedAsNullSoItClearsTheColumn() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "price", "", "updated_at", "1732611600")));

        assertThat(row).containsEntry("price", null);
        assertThat(present(row)).contains("price").doesNotContain("name", "status_id");
    }

    @Test
    void aPriceWithSpacesAndDecimalCommaIsANumber() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "price", "12\u00A0500,50")));

        assertThat((BigDecimal) row.get("price")).isEqualByComparingTo("12500.50");
    }

    @Test
    void customFieldsAndTagsAreWrittenAsTheDocumentedJson() throws Exception {
        Map<String, Object> row = row(sampleEvent("leads-update-custom-fields.form"));

        assertThat(present(row)).contains("custom_fields", "tags");
        assertThat(readJson(row.get("tags"))).isEqualTo(MAPPER.readTree(
                "[{\"id\": 512301, \"name\": \"website\"}, {\"id\": 512302, \"name\": \"vip\"}]"));
        var fields = readJson(row.get("custom_fields"));
        assertThat(fields).hasSize(7);
        assertThat(fields.get(0)).isEqualTo(MAPPER.readTree(
                "{\"id\": 1100001, \"name\": \"utm_medium\", \"code\": \"UTM_MEDIUM\", \"values\": []}"));
        assertThat(fields.get(3).get("values")).isEqualTo(MAPPER.readTree(
                "[{\"value\": \"Installation\", \"enum\": 2200201}, {\"value\": \"Maintenance\", \"enum\": 2200203}]"));
        assertThat(fields.get(5).get("values").get(0).get("value").asText())
                .isEqualTo("Call after 6 pm, gate code 1234#\nAsk for John & Mary (50% prepaid)");
        assertThat(row).containsEntry("version", utc(1732611600L)).containsEntry("stage_changed", false);
    }

    @Test
    void theVersionFallsBackToLastModified() {
        Map<String, Object> row = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "last_modified", "1732611600")));

        assertThat(row).containsEntry("version", utc(1732611600L));
    }

    @Test
    void theItemsAccountIdWinsOverTheAccountBlockAndWithNeitherItIsNotCarried() {
        Map<String, Object> own = row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "account_id", "999")));
        Map<String, Object> none = row(event(FormBody.form().item("leads[update][0]", "id", "1")));

        assertThat(own).containsEntry("account_id", 999L);
        assertThat(none).containsEntry("account_id", null);
        assertThat(present(none)).isEmpty();
    }

    @Test
    void aNonNumericIdIsAnInvalidEvent() {
        assertThatThrownBy(() -> row(event(FormBody.form().account().item("leads[update][0]", "id", "abc"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'id'");
    }

    @Test
    void aMissingIdIsAnInvalidEvent() {
        assertThatThrownBy(() -> row(event(FormBody.form().account().item("leads[update][0]", "name", "x"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("no id");
    }

    @Test
    void aNonNumericStatusOrBadTimeIsAnInvalidEventNamingTheField() {
        assertThatThrownBy(() -> row(event(FormBody.form().account()
                .item("leads[status][0]", "id", "1", "status_id", "won"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'status_id'");
        assertThatThrownBy(() -> row(event(FormBody.form().account()
                .item("leads[update][0]", "id", "1", "updated_at", "tomorrow"))))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("'updated_at'");
    }
}
