package dev.amowebhook.event;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * One item of a webhook: {@code leads[status][0][...]} becomes topic {@code leads}, action {@code status},
 * index {@code 0} and the item's fields as {@code data}.
 *
 * @param topic  the top-level key as amoCRM sent it ({@code leads}, {@code contacts}, {@code task}, ...)
 * @param entity what the item is, normalized: {@code lead}, {@code contact}, {@code company}, {@code task},
 *               {@code note}, ...; an unknown topic is kept as it came
 * @param data   the item's fields; a note's fields are unwrapped from its {@code [note]} wrapper
 */
public record AmoEvent(String topic, String entity, String action, String index,
                       Map<String, Object> data, Account account) {

    /**
     * The event's own time ({@code updated_at}, else {@code last_modified}), which orders and identifies it;
     * null when it carries none or an unreadable one (the store route then reports the bad field).
     */
    public OffsetDateTime version() {
        try {
            return new EventFields(data).firstTime("updated_at", "last_modified");
        } catch (InvalidEventException e) {
            return null;
        }
    }

    /** The amoCRM id of the entity the event is about, or null when the item carries none. */
    public String entityId() {
        for (String key : new String[] {"id", "uid", "talk_id"}) {
            if (data.get(key) instanceof String id && !id.isBlank()) {
                return id;
            }
        }
        return null;
    }
}
