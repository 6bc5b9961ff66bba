package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;

/**
 * Maps a note ({@code leads[note][0][note][...]}, unwrapped by the splitter) to {@code sql/note-upsert.sql}.
 * The parent entity comes from the webhook key; under {@code contacts} the {@code element_type} (3) tells a
 * company's note from a contact's.
 */
public class NoteRowMapper implements EventRowMapper {

    private final Json json;

    public NoteRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).numericId("id");
        EventFields f = row.fields();
        return row.put("parent_entity", parentEntity(event.topic(), f.number("element_type")))
                .column("element_id", f.number("element_id"), f.has("element_id"))
                .column("element_type", f.number("element_type"), f.has("element_type"))
                .column("note_type", f.text("note_type"), f.has("note_type"))
                .column("text", f.text("text"), f.has("text"))
                .column("params", json.write(f.node("params")), f.has("params"))
                .toParams();
    }

    static String parentEntity(String topic, Long elementType) {
        return switch (topic) {
            case "leads" -> "lead";
            case "customers" -> "customer";
            case "companies" -> "company";
            case "contacts" -> elementType != null && elementType == 3 ? "company" : "contact";
            default -> topic;
        };
    }
}
