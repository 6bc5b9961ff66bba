package dev.amowebhook.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code [0]}, {@code [1]}, ... children of a form-tree node in index order ({@code 2} before {@code 10}).
 * Non-numeric keys keep their order after the numeric ones; a scalar counts as a single item.
 */
public final class IndexedNodes {

    private IndexedNodes() {
    }

    public static List<Map.Entry<String, Object>> entries(Map<String, Object> node) {
        List<Map.Entry<String, Object>> entries = new ArrayList<>(node.entrySet());
        entries.sort((a, b) -> compare(a.getKey(), b.getKey()));
        return entries;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> items(Object node) {
        if (node instanceof Map<?, ?> map) {
            List<Object> out = new ArrayList<>();
            entries((Map<String, Object>) map).forEach(e -> out.add(e.getValue()));
            return out;
        }
        return node == null || "".equals(node) ? List.of() : List.of(node);
    }

    public static boolean isIndex(String key) {
        if (key.isEmpty()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) < '0' || key.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static int compare(String a, String b) {
        boolean na = isIndex(a);
        boolean nb = isIndex(b);
        if (na && nb) {
            String sa = stripZeros(a);
            String sb = stripZeros(b);
            return sa.length() != sb.length() ? Integer.compare(sa.length(), sb.length()) : sa.compareTo(sb);
        }
        return na ? -1 : nb ? 1 : 0;
    }

    private static String stripZeros(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') {
            i++;
        }
        return s.substring(i);
    }
}
