package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.event.InvalidEventException;
import dev.amowebhook.http.InboundRequest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL parameters every entity table shares, by the names the SQL files use.
 * <p>{@code present} lists the columns the event carried (comma-separated): an upsert changes only those, so a
 * partial body (Digital Pipeline) never blanks the rest. A field sent empty ({@code price=}) counts as carried
 * and clears the column. {@code version} is the event's {@code updated_at}, else {@code last_modified}: a row is
 * only overwritten by an event at least as new.
 */
final class EntityRow {

    private final Map<String, Object> params = new HashMap<>();
    private final List<String> present = new ArrayList<>();
    private final EventFields fields;

    EntityRow(AmoEvent event, InboundRequest request, Json json) {
        this.fields = new EventFields(event.data());
        params.put("action", event.action());
        params.put("request_id", request.id().toString());
        params.put("received_at", OffsetDateTime.ofInstant(request.receivedAt(), ZoneOffset.UTC));
        params.put("version", fields.firstTime("updated_at", "last_modified"));
        params.put("payload", json.write(event.data()));
        Long accountId = fields.has("account_id") ? fields.number("account_id") : event.account().numericId();
        column("account_id", accountId, fields.has("account_id") || accountId != null);
        column("name", fields.text("name"), fields.has("name"));
        column("responsible_user_id", fields.number("responsible_user_id"), fields.has("responsible_user_id"));
        column("created_user_id", fields.number("created_user_id"), fields.has("created_user_id"));
        column("modified_user_id", fields.number("modified_user_id"), fields.has("modified_user_id"));
        column("created_at", fields.firstTime("created_at", "date_create"), fields.hasAny("created_at", "date_create"));
        List<Map<String, Object>> customFields = CustomFields.normalize(fields.node("custom_fields"));
        column("custom_fields", json.write(customFields), fields.has("custom_fields"));
        column("tags", json.write(CustomFields.tags(fields.node("tags"))), fields.has("tags"));
        params.put("custom_field_list", customFields);
    }

    /** The numeric amoCRM id in {@code field} as parameter {@code id}; an event without one cannot be stored. */
    EntityRow numericId(String field) {
        Long id = fields.number(field);
        if (id == null) {
            throw new InvalidEventException("the event has no " + field);
        }
        params.put("id", id);
        return this;
    }

    /** A text key (unsorted uid, message uuid) as parameter {@code id}. */
    EntityRow textId(String field) {
        String id = fields.text(field);
        if (id == null) {
            throw new InvalidEventException("the event has no " + field);
        }
        params.put("id", id);
        return this;
    }

    EventFields fields() {
        return fields;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> customFields() {
        return (List<Map<String, Object>>) params.get("custom_field_list");
    }

    /** Sets a column's parameter and, when the event carried the field, marks it to be written. */
    EntityRow column(String name, Object value, boolean carried) {
        params.put(name, value);
        if (carried) {
            present.add(name);
        }
        return this;
    }

    EntityRow put(String name, Object value) {
        params.put(name, value);
        return this;
    }

    Map<String, Object> toParams() {
        params.remove("custom_field_list");
        params.put("present", String.join(",", present));
        return params;
    }
}
