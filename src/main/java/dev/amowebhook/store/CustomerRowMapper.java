package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;

/** Maps a customer event to {@code sql/customer-*.sql}; amoCRM's field set for customers is unconfirmed. */
public class CustomerRowMapper implements EventRowMapper {

    private final Json json;

    public CustomerRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).numericId("id");
        EventFields f = row.fields();
        return row.column("status_id", f.number("status_id"), f.has("status_id"))
                .column("next_price", f.decimal("next_price"), f.has("next_price"))
                .column("next_date", f.time("next_date"), f.has("next_date"))
                .column("periodicity", f.number("periodicity"), f.has("periodicity"))
                .toParams();
    }
}
