package dev.amowebhook.store;

import dev.amowebhook.event.IndexedNodes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The documented jsonb shapes of {@code custom_fields} and {@code tags}:
 * <pre>
 * custom_fields: [{"id": 1100101, "name": "Lead source", "code": "SOURCE", "values": [{"value": "Web", "enum": 2200101}]}]
 * tags:          [{"id": 512301, "name": "vip"}]
 * </pre>
 * A field may have no values ({@code "values": []}); a scalar value ({@code values[0]=2024-11-26}) becomes
 * {@code {"value": "2024-11-26"}}; ids and enums are numbers when they are numeric; values stay strings.
 */
public final class CustomFields {

    private CustomFields() {
    }

    public static List<Map<String, Object>> normalize(Object node) {
        List<Map<String, Object>> fields = new ArrayList<>();
        for (Object item : items(node)) {
            if (!(item instanceof Map<?, ?> field)) {
                continue;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", numberOrText(field.get("id")));
            out.put("name", field.get("name"));
            out.put("code", field.get("code"));
            List<Map<String, Object>> values = new ArrayList<>();
            for (Object value : items(field.get("values"))) {
                values.add(value(value));
            }
            out.put("values", values);
            fields.add(out);
        }
        return fields;
    }

    public static List<Map<String, Object>> tags(Object node) {
        List<Map<String, Object>> tags = new ArrayList<>();
        for (Object item : items(node)) {
            if (item instanceof Map<?, ?> tag) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("id", numberOrText(tag.get("id")));
                out.put("name", tag.get("name"));
                tags.add(out);
            } else if (item instanceof String name) {
                tags.add(new LinkedHashMap<>(Map.of("name", name)));
            }
        }
        return tags;
    }

    /** Every value of the fields with this code ({@code PHONE}, {@code EMAIL}), in order. */
    public static List<String> valuesWithCode(List<Map<String, Object>> fields, String code) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> field : fields) {
            if (code.equals(field.get("code")) && field.get("values") instanceof List<?> values) {
                for (Object value : values) {
                    if (value instanceof Map<?, ?> v && v.get("value") instanceof String s && !s.isBlank()) {
                        out.add(s);
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, Object> value(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            out.put("value", map.get("value"));
            if (map.containsKey("enum")) {
                out.put("enum", numberOrText(map.get("enum")));
            }
            map.forEach((k, v) -> {
                if (!k.equals("value") && !k.equals("enum")) {
                    out.put((String) k, v);
                }
            });
        } else {
            out.put("value", value);
        }
        return out;
    }

    private static List<Object> items(Object node) {
        return IndexedNodes.items(node);
    }

    static Object numberOrText(Object value) {
        if (value instanceof String s && IndexedNodes.isIndex(s) && s.length() < 19) {
            return Long.valueOf(s);
        }
        return value;
    }
}
