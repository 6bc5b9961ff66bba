package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;

/** Maps a task event ({@code task[...]}) to the parameters of {@code sql/task-*.sql}. */
public class TaskRowMapper implements EventRowMapper {

    private final Json json;

    public TaskRowMapper(Json json) {
        this.json = json;
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).numericId("id");
        EventFields f = row.fields();
        return row.column("element_id", f.number("element_id"), f.has("element_id"))
                .column("element_type", f.number("element_type"), f.has("element_type"))
                .column("task_type", f.text("task_type"), f.has("task_type"))
                .column("text", f.text("text"), f.has("text"))
                .column("status", f.number("status"), f.has("status"))
                .column("result", resultText(f.node("result")), f.has("result"))
                .column("complete_till", f.time("complete_till"), f.has("complete_till"))
                .toParams();
    }

    /** The result of a completed task comes as {@code result[text]} or as plain text. */
    private static String resultText(Object node) {
        if (node instanceof Map<?, ?> map && map.get("text") instanceof String text) {
            return text;
        }
        return node instanceof String text && !text.isEmpty() ? text : null;
    }
}
