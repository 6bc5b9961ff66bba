package dev.amowebhook.event;

import java.util.Map;

/** The {@code account[...]} block of a webhook; any part may be missing (old hooks send only the subdomain). */
public record Account(String id, String subdomain, String self) {

    public static final Account UNKNOWN = new Account(null, null, null);

    static Account from(Object node) {
        if (!(node instanceof Map<?, ?> map)) {
            return UNKNOWN;
        }
        Object links = map.get("_links");
        Object self = links instanceof Map<?, ?> l ? l.get("self") : null;
        return new Account(text(map.get("id")), text(map.get("subdomain")), text(self));
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }

    /** The account id as a number when it is one, for the journal. */
    public Long numericId() {
        try {
            return id == null ? null : Long.valueOf(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
