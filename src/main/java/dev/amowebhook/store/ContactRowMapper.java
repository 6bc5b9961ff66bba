package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.event.InvalidEventException;
import dev.amowebhook.event.IndexedNodes;
import dev.amowebhook.http.InboundRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Maps a contact or company event to the parameters of {@code sql/contact-*.sql} and {@code sql/company-*.sql}:
 * besides the shared columns, the phones and e-mails pulled out of the custom fields, the ids of the linked
 * leads ({@code linked_leads_id} is a map keyed by lead id) and, for contacts, the company link.
 */
public class ContactRowMapper implements EventRowMapper {

    private final Json json;

    public ContactRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).numericId("id");
        EventFields f = row.fields();
        boolean hasCustomFields = f.has("custom_fields");
        row.column("phones", json.write(CustomFields.valuesWithCode(row.customFields(), "PHONE")), hasCustomFields)
                .column("emails", json.write(CustomFields.valuesWithCode(row.customFields(), "EMAIL")), hasCustomFields)
                .column("linked_leads", json.write(linkedLeads(f.node("linked_leads_id"))), f.has("linked_leads_id"))
                .column("company_name", f.text("company_name"), f.has("company_name"))
                .column("linked_company_id", f.number("linked_company_id"), f.has("linked_company_id"));
        return row.toParams();
    }

    /** {@code linked_leads_id[24567891][ID]=24567891}: the keys are the lead ids. */
    static List<Long> linkedLeads(Object node) {
        List<Long> ids = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            for (Object key : map.keySet()) {
                if (!IndexedNodes.isIndex((String) key) || ((String) key).length() > 18) {
                    throw new InvalidEventException("linked_leads_id has a key that is not a lead id: '" + key + "'");
                }
                ids.add(Long.valueOf((String) key));
            }
        } else if (node instanceof String s && !s.isBlank()) {
            for (String part : s.split(",")) {
                try {
                    ids.add(Long.valueOf(part.trim()));
                } catch (NumberFormatException e) {
                    throw new InvalidEventException("linked_leads_id is not a list of lead ids: '" + s + "'");
                }
            }
        }
        return ids;
    }
}
