package dev.amowebhook.store;

import static dev.amowebhook.store.StoreTestSupport.MAPPER;
import static dev.amowebhook.store.StoreTestSupport.tree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.amowebhook.FormBody;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The jsonb shapes of custom_fields and tags, as documented on {@link CustomFields}. */
class CustomFieldsTest {

    private static Object customFields(FormBody body) {
        return tree(body).get("custom_fields");
    }

    private static JsonNode asJson(Object value) throws JsonProcessingException {
        return MAPPER.readTree(MAPPER.writeValueAsString(value));
    }

    @Test
    void anEnumFieldHasTheDocumentedShapeWithNumericIdAndEnum() throws Exception {
        Object node = customFields(FormBody.form()
                .item("custom_fields[0]", "id", "1100101", "name", "Lead source", "code", "SOURCE")
                .item("custom_fields[0][values][0]", "value", "Web", "enum", "2200101"));

        List<Map<String, Object>> fields = CustomFields.normalize(node);

        assertThat(asJson(fields)).isEqualTo(MAPPER.readTree(
                "[{\"id\": 1100101, \"name\": \"Lead source\", \"code\": \"SOURCE\","
                        + " \"values\": [{\"value\": \"Web\", \"enum\": 2200101}]}]"));
        assertThat(fields.get(0).get("id")).isEqualTo(1100101L);
        assertThat(((List<?>) fields.get(0).get("values")).get(0)).isEqualTo(Map.of("value", "Web", "enum", 2200101L));
    }

    @Test
    void aFieldWithNoValuesHasAnEmptyValueList() {
        Object node = customFields(FormBody.form()
                .item("custom_fields[0]", "id", "1100001", "name", "utm_medium", "code", "UTM_MEDIUM")
                .add("custom_fields[1][id]", "1100002").add("custom_fields[1][values]", ""));

        List<Map<String, Object>> fields = CustomFields.normalize(node);

        assertThat(fields).hasSize(2);
        assertThat(fields.get(0)).containsEntry("values", List.of()).containsEntry("code", "UTM_MEDIUM");
        assertThat(fields.get(1)).containsEntry("values", List.of()).containsEntry("id", 1100002L);
    }

    @Test
    void aScalarValueBecomesAValueObject() throws Exception {
        Object node = customFields(FormBody.form()
                .add("custom_fields[0][id]", "1100200").add("custom_fields[0][name]", "Delivery date")
                .add("custom_fields[0][values][0]", "2024-11-26"));

        List<Map<String, Object>> fields = CustomFields.normalize(node);

        assertThat(fields.get(0).get("values")).isEqualTo(List.of(Map.of("value", "2024-11-26")));
        assertThat(asJson(fields).get(0).get("values").toString()).isEqualTo("[{\"value\":\"2024-11-26\"}]");
    }

    @Test
    void aMultiselectKeepsEveryValueInIndexOrder() {
        FormBody body = FormBody.form().add("custom_fields[0][id]", "1100102").add("custom_fields[0][name]", "Services");
        String[] names = {"Installation", "Maintenance", "Repair"};
        int[] indices = {10, 2, 0};
        for (int i = 0; i < indices.length; i++) {
            body.add("custom_fields[0][values][" + indices[i] + "][value]", names[i])
                    .add("custom_fields[0][values][" + indices[i] + "][enum]", "22002" + indices[i]);
        }

        List<Map<String, Object>> fields = CustomFields.normalize(customFields(body));

        assertThat(fields.get(0).get("values")).isEqualTo(List.of(
                Map.of("value", "Repair", "enum", 220020L),
                Map.of("value", "Maintenance", "enum", 220022L),
                Map.of("value", "Installation", "enum", 2200210L)));
    }

    @Test
    void fieldsComeInIndexOrderAndTheCodeMayArriveAfterTheValues() {
        Object node = customFields(FormBody.form()
                .add("custom_fields[10][id]", "10").add("custom_fields[10][values][0][value]", "ten")
                .add("custom_fields[2][id]", "2").add("custom_fields[2][values][0][value]", "two")
                .add("custom_fields[2][code]", "PHONE"));

        List<Map<String, Object>> fields = CustomFields.normalize(node);

        assertThat(fields).extracting(f -> f.get("id")).containsExactly(2L, 10L);
        assertThat(fields.get(0)).containsEntry("code", "PHONE");
        assertThat(fields.get(1).get("code")).isNull();
    }

    @Test
    void valuesStayStringsAndNonNumericOrHugeIdsStayText() {
        Object node = customFields(FormBody.form()
                .add("custom_fields[0][id]", "abc").add("custom_fields[0][values][0][value]", "00042")
                .add("custom_fields[0][values][0][enum]", "x1")
                .add("custom_fields[1][id]", "12345678901234567890").add("custom_fields[1][values][0][value]", "1"));

        List<Map<String, Object>> fields = CustomFields.normalize(node);

        assertThat(fields.get(0).get("id")).isEqualTo("abc");
        assertThat(fields.get(0).get("values")).isEqualTo(List.of(Map.of("value", "00042", "enum", "x1")));
        assertThat(fields.get(1).get("id")).isEqualTo("12345678901234567890");
        assertThat(fields.get(1).get("values")).isEqualTo(List.of(Map.of("value", "1")));
    }

    @Test
    void extraValueAttributesAreKept() {
        Object node = customFields(FormBody.form().add("custom_fields[0][id]", "1")
                .add("custom_fields[0][values][0][value]", "Main st. 1")
                .add("custom_fields[0][values][0][subtype]", "address_line_1"));

        assertThat(CustomFields.normalize(node).get(0).get("values"))
                .isEqualTo(List.of(Map.of("value", "Main st. 1", "subtype", "address_line_1")));
    }

    @Test
    void nothingOrGarbageGivesAnEmptyList() {
        assertThat(CustomFields.normalize(null)).isEmpty();
        assertThat(CustomFields.normalize("")).isEmpty();
        assertThat(CustomFields.normalize(Map.of("0", "not a field"))).isEmpty();
    }

    @Test
    void phonesAndEmailsAreExtractedByCode() {
        Object node = customFields(FormBody.form()
                .item("custom_fields[0]", "id", "1000001", "name", "Phone", "code", "PHONE")
                .add("custom_fields[0][values][0][value]", "+1 415 555 0134")
                .add("custom_fields[0][values][0][enum]", "1000101")
                .add("custom_fields[0][values][1][value]", "+7 999 000-00-00")
                .add("custom_fields[0][values][2][value]", "")
                .item("custom_fields[1]", "id", "1000003", "code", "EMAIL")
                .add("custom_fields[1][values][0][value]", "john@example.com")
                .item("custom_fields[2]", "id", "1000005", "code", "POSITION")
                .add("custom_fields[2][values][0][value]", "CEO")
                .item("custom_fields[3]", "id", "1000009", "code", "PHONE"));

        List<Map<String, Object>> fields = CustomFields.normalize(node);

        assertThat(CustomFields.valuesWithCode(fields, "PHONE")).containsExactly("+1 415 555 0134", "+7 999 000-00-00");
        assertThat(CustomFields.valuesWithCode(fields, "EMAIL")).containsExactly("john@example.com");
        assertThat(CustomFields.valuesWithCode(fields, "IM")).isEmpty();
        assertThat(CustomFields.valuesWithCode(List.of(), "PHONE")).isEmpty();
    }

    @Test
    void tagsHaveTheDocumentedShape() throws Exception {
        Object node = tree(FormBody.form()
                .item("tags[1]", "id", "512302", "name", "vip")
                .item("tags[0]", "id", "512301", "name", "website")).get("tags");

        assertThat(asJson(CustomFields.tags(node))).isEqualTo(MAPPER.readTree(
                "[{\"id\": 512301, \"name\": \"website\"}, {\"id\": 512302, \"name\": \"vip\"}]"));
    }

    @Test
    void tagsSentAsPlainNamesOrEmptyAreHandled() {
        Object node = tree(FormBody.form().add("tags[0]", "vip").add("tags[1]", "new")).get("tags");

        assertThat(CustomFields.tags(node)).containsExactly(Map.of("name", "vip"), Map.of("name", "new"));
        assertThat(CustomFields.tags("")).isEmpty();
        assertThat(CustomFields.tags(null)).isEmpty();
    }
}
