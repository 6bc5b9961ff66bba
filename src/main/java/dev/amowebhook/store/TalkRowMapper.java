package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;

/** Maps a conversation event ({@code talk[add|update]}, keyed by {@code talk_id}) to {@code sql/talk-upsert.sql}. */
public class TalkRowMapper implements EventRowMapper {

    private final Json json;

    public TalkRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).numericId("talk_id");
        EventFields f = row.fields();
        return row.column("chat_id", f.text("chat_id"), f.has("chat_id"))
                .column("contact_id", f.number("contact_id"), f.has("contact_id"))
                .column("entity_id", f.number("entity_id"), f.has("entity_id"))
                .column("entity_type", f.text("entity_type"), f.has("entity_type"))
                .column("is_in_work", f.flag("is_in_work"), f.has("is_in_work"))
                .column("is_read", f.flag("is_read"), f.has("is_read"))
                .column("rate", f.number("rate"), f.has("rate"))
                .column("origin", f.text("origin"), f.has("origin"))
                .toParams();
    }
}
