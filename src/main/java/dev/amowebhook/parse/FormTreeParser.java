package dev.amowebhook.parse;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses a PHP {@code http_build_query} body ({@code leads[update][0][custom_fields][1][values][0][value]=x})
 * into a tree of ordered maps with string leaves.
 * <p>Every bracket segment stays a map key, numeric or not: amoCRM uses numeric keys both as list indices and
 * as ids ({@code linked_leads_id[24567891][ID]}), and only the consumer knows which. Decoding is strict UTF-8
 * with {@code +} as space; anything malformed is refused with a message naming the field, never guessed at.
 */
public class FormTreeParser {

    private final int maxFields;
    private final int maxDepth;

    public FormTreeParser(int maxFields, int maxDepth) {
        this.maxFields = maxFields;
        this.maxDepth = maxDepth;
    }

    public Map<String, Object> parse(byte[] body) {
        Map<String, Object> root = new LinkedHashMap<>();
        int fields = 0;
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    if (++fields > maxFields) {
                        throw new MalformedFormException("too many form fields (limit " + maxFields + ")");
                    }
                    addPair(root, body, start, i);
                }
                start = i + 1;
            }
        }
        return root;
    }

    private void addPair(Map<String, Object> root, byte[] body, int from, int to) {
        int eq = -1;
        for (int i = from; i < to; i++) {
            if (body[i] == '=') {
                eq = i;
                break;
            }
        }
        if (eq < 0) {
            throw new MalformedFormException("form field without '=': '" + preview(decodeLenient(body, from, to)) + "'");
        }
        String key = decode(body, from, eq, null);
        String value = decode(body, eq + 1, to, key);
        insert(root, key, path(key), value);
    }

    /** Splits {@code a[b][c]} into [a, b, c]; {@code []} becomes an empty segment (PHP append). */
    private List<String> path(String key) {
        int open = key.indexOf('[');
        String head = open < 0 ? key : key.substring(0, open);
        if (head.isEmpty() || head.indexOf(']') >= 0) {
            throw new MalformedFormException("malformed field name: '" + preview(key) + "'");
        }
        List<String> segments = new ArrayList<>();
        segments.add(head);
        int pos = open;
        while (pos >= 0 && pos < key.length()) {
            if (key.charAt(pos) != '[') {
                throw new MalformedFormException("malformed field name: '" + preview(key) + "'");
            }
            int close = key.indexOf(']', pos);
            if (close < 0 || key.indexOf('[', pos + 1) >= 0 && key.indexOf('[', pos + 1) < close) {
                throw new MalformedFormException("malformed field name: '" + preview(key) + "'");
            }
            segments.add(key.substring(pos + 1, close));
            if (segments.size() > maxDepth) {
                throw new MalformedFormException("field nested deeper than " + maxDepth + " levels: '"
                        + preview(key) + "'");
            }
            pos = close + 1;
        }
        return segments;
    }

    @SuppressWarnings("unchecked")
    private static void insert(Map<String, Object> root, String key, List<String> path, String value) {
        Map<String, Object> node = root;
        for (int i = 0; i < path.size(); i++) {
            String segment = path.get(i);
            if (segment.isEmpty()) {
                segment = nextIndex(node);
            }
            boolean last = i == path.size() - 1;
            Object existing = node.get(segment);
            if (last) {
                if (existing != null) {
                    throw new MalformedFormException(existing instanceof Map
                            ? "field '" + preview(key) + "' conflicts with nested fields of the same name"
                            : "duplicate form field: '" + preview(key) + "'");
                }
                node.put(segment, value);
            } else if (existing == null) {
                Map<String, Object> child = new LinkedHashMap<>();
                node.put(segment, child);
                node = child;
            } else if (existing instanceof Map) {
                node = (Map<String, Object>) existing;
            } else {
                throw new MalformedFormException("field '" + preview(key) + "' conflicts with a plain field of the same name");
            }
        }
    }

    /** PHP's {@code []}: one past the highest numeric index so far, 0 when there is none. */
    private static String nextIndex(Map<String, Object> node) {
        long max = -1;
        for (String key : node.keySet()) {
            if (!key.isEmpty() && key.length() < 18 && key.chars().allMatch(c -> c >= '0' && c <= '9')) {
                max = Math.max(max, Long.parseLong(key));
            }
        }
        return Long.toString(max + 1);
    }

    /** Percent- and plus-decoding to bytes, then strict UTF-8; {@code field} names the value in errors. */
    private static String decode(byte[] body, int from, int to, String field) {
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                bytes[n++] = ' ';
            } else if (b == '%') {
                int hi = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
                int lo = i + 2 < to ? Character.digit(body[i + 2], 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new MalformedFormException("broken percent escape in "
                            + (field == null ? "a field name" : "field '" + preview(field) + "'"));
                }
                bytes[n++] = (byte) ((hi << 4) | lo);
                i += 2;
            } else {
                bytes[n++] = b;
            }
        }
        for (int i = 0; i < n; i++) {
            if (bytes[i] == 0) {
                throw new MalformedFormException("NUL byte in "
                        + (field == null ? "a field name" : "field '" + preview(field) + "'"));
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, n));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFormException("invalid UTF-8 in "
                    + (field == null ? "a field name" : "field '" + preview(field) + "'"));
        }
    }

    private static String decodeLenient(byte[] body, int from, int to) {
        return new String(body, from, to - from, StandardCharsets.UTF_8);
    }

    /** Error messages quote at most a short, printable prefix of what the client sent. */
    static String preview(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 60; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || c == '\'' ? '?' : c);
        }
        return text.length() > 60 ? out + "..." : out.toString();
    }
}
