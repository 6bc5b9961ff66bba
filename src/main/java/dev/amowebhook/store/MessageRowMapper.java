package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;

/** Maps an incoming chat message ({@code message[add]}, id is a uuid) to {@code sql/message-insert.sql}. */
public class MessageRowMapper implements EventRowMapper {

    private final Json json;

    public MessageRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).textId("id");
        EventFields f = row.fields();
        return row.put("chat_id", f.text("chat_id"))
                .put("talk_id", f.number("talk_id"))
                .put("contact_id", f.number("contact_id"))
                .put("element_id", f.number("element_id"))
                .put("entity_type", f.text("entity_type"))
                .put("text", f.text("text"))
                .put("author", json.write(f.node("author")))
                .put("attachment", json.write(f.node("attachment")))
                .put("origin", f.text("origin"))
                .toParams();
    }
}
