package dev.amowebhook.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Children of a form-tree node in index order: [2] before [10]. */
class IndexedNodesTest {

    private static Map<String, Object> node(String... keys) {
        Map<String, Object> node = new LinkedHashMap<>();
        for (String key : keys) {
            node.put(key, "v" + key);
        }
        return node;
    }

    @Test
    void numericKeysComeInNumericOrder() {
        List<Map.Entry<String, Object>> entries = IndexedNodes.entries(node("10", "2", "0", "1", "100", "11"));

        assertThat(entries).extracting(Map.Entry::getKey).containsExactly("0", "1", "2", "10", "11", "100");
        assertThat(entries).extracting(Map.Entry::getValue).containsExactly("v0", "v1", "v2", "v10", "v11", "v100");
    }

    @Test
    void nonNumericKeysFollowInArrivalOrder() {
        List<Map.Entry<String, Object>> entries = IndexedNodes.entries(node("name", "3", "id", "1", "code"));

        assertThat(entries).extracting(Map.Entry::getKey).containsExactly("1", "3", "name", "id", "code");
    }

    @Test
    void hugeIndicesAndLeadingZerosCompareByValueWithoutOverflow() {
        List<Map.Entry<String, Object>> entries = IndexedNodes.entries(
                node("123456789012345678901234567890", "99999999999999999999", "007", "5", "0"));

        assertThat(entries).extracting(Map.Entry::getKey)
                .containsExactly("0", "5", "007", "99999999999999999999", "123456789012345678901234567890");
    }

    @Test
    void entriesDoesNotChangeTheNode() {
        Map<String, Object> node = node("2", "1");

        IndexedNodes.entries(node);

        assertThat(node.keySet()).containsExactly("2", "1");
    }

    @Test
    void itemsListsTheValuesOfAMapInIndexOrder() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("10", "ten");
        values.put("2", "two");

        assertThat(IndexedNodes.items(values)).containsExactly("two", "ten");
    }

    @Test
    void aScalarIsASingleItemAndEmptyOrMissingIsNone() {
        assertThat(IndexedNodes.items("2024-11-26")).containsExactly("2024-11-26");
        assertThat(IndexedNodes.items("")).isEmpty();
        assertThat(IndexedNodes.items(null)).isEmpty();
        assertThat(IndexedNodes.items(new LinkedHashMap<>())).isEmpty();
    }

    @Test
    void onlyPlainAsciiDigitStringsAreIndices() {
        assertThat(IndexedNodes.isIndex("0")).isTrue();
        assertThat(IndexedNodes.isIndex("24567891")).isTrue();
        assertThat(IndexedNodes.isIndex("")).isFalse();
        assertThat(IndexedNodes.isIndex("-1")).isFalse();
        assertThat(IndexedNodes.isIndex("+1")).isFalse();
        assertThat(IndexedNodes.isIndex("1a")).isFalse();
        assertThat(IndexedNodes.isIndex(" 1")).isFalse();
        assertThat(IndexedNodes.isIndex("١٢")).isFalse(); // Arabic-Indic digits
        assertThat(IndexedNodes.isIndex("１")).isFalse(); // fullwidth digit
    }
}
