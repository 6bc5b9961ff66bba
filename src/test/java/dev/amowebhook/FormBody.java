package dev.amowebhook;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds bodies the way amoCRM (PHP http_build_query) encodes them: brackets as %5B/%5D, space as '+'. */
public final class FormBody {

    private final List<String[]> fields = new ArrayList<>();

    public static FormBody form() {
        return new FormBody();
    }

    public FormBody add(String key, String value) {
        fields.add(new String[] {key, value});
        return this;
    }

    public FormBody account() {
        return add("account[subdomain]", "examplecrm").add("account[id]", "31234567");
    }

    /**
     * Adds every field of an item under a prefix: {@code item("leads[update][0]", "id", "1", "result[text]", "x")}
     * adds {@code leads[update][0][id]} and {@code leads[update][0][result][text]}.
     */
    public FormBody item(String prefix, String... pairs) {
        for (int i = 0; i < pairs.length; i += 2) {
            String key = pairs[i];
            int bracket = key.indexOf('[');
            add(bracket < 0 ? prefix + "[" + key + "]"
                    : prefix + "[" + key.substring(0, bracket) + "]" + key.substring(bracket), pairs[i + 1]);
        }
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.write('&');
            }
            encode(fields.get(i)[0], out);
            out.write('=');
            encode(fields.get(i)[1], out);
        }
        return out.toByteArray();
    }

    static void encode(String text, ByteArrayOutputStream out) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
                out.write(c);
            } else if (c == ' ') {
                out.write('+');
            } else {
                out.write('%');
                out.write(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                out.write(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
    }
}
