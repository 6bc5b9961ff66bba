package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.event.IndexedNodes;
import dev.amowebhook.http.InboundRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps an unsorted (incoming lead) event to {@code sql/unsorted-*.sql}, keyed by {@code uid}. Accepting one comes
 * as a {@code delete} with {@code action=accept} and {@code accept_result[leads][0]}: that is recorded as
 * {@code accepted} with the resulting lead, as is a decline; only a plain delete is {@code deleted}.
 */
public class UnsortedRowMapper implements EventRowMapper {

    private final Json json;

    public UnsortedRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).textId("uid");
        EventFields f = row.fields();
        row.column("category", f.text("category"), f.has("category"))
                .column("source", f.text("source"), f.has("source"))
                .column("source_uid", f.text("source_uid"), f.has("source_uid"))
                .column("source_id", f.number("source_id"), f.has("source_id"))
                .column("pipeline_id", f.number("pipeline_id"), f.has("pipeline_id"))
                .column("lead_id", f.number("lead_id"), f.has("lead_id"))
                .column("contact_ids", json.write(contactIds(f.node("data"))), f.has("data"))
                .column("source_data", json.write(f.node("source_data")), f.has("source_data"));
        String decision = f.text("action");
        String status = switch (event.action()) {
            case "delete" -> "accept".equals(decision) ? "accepted" : "decline".equals(decision) ? "declined" : "deleted";
            default -> "new";
        };
        return row.put("status", status)
                .put("accepted_lead_id", acceptedLead(f.node("accept_result")))
                .toParams();
    }

    /** {@code data[contacts][0][id]}: the contacts the incoming lead brought. */
    static List<Long> contactIds(Object data) {
        List<Long> ids = new ArrayList<>();
        if (data instanceof Map<?, ?> map) {
            for (Object contact : IndexedNodes.items(map.get("contacts"))) {
                if (contact instanceof Map<?, ?> c && c.get("id") instanceof String id && IndexedNodes.isIndex(id)
                        && id.length() < 19) {
                    ids.add(Long.valueOf(id));
                }
            }
        }
        return ids;
    }

    /** {@code accept_result[leads][0]=24567910}: the lead the accepted unsorted became. */
    static Long acceptedLead(Object result) {
        if (result instanceof Map<?, ?> map) {
            for (Object lead : IndexedNodes.items(map.get("leads"))) {
                Object id = lead instanceof Map<?, ?> l ? l.get("id") : lead;
                if (id instanceof String s && IndexedNodes.isIndex(s) && s.length() < 19) {
                    return Long.valueOf(s);
                }
            }
        }
        return null;
    }
}
