package dev.amowebhook.store;

import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.EventFields;
import dev.amowebhook.http.InboundRequest;
import java.util.Map;
import java.util.Objects;

/**
 * Maps a lead event to the parameters of {@code sql/lead-*.sql}, including whether it is a stage change
 * ({@code stage_changed}): a {@code status} event, or any event carrying an {@code old_status_id} /
 * {@code old_pipeline_id} that differs from the new one.
 */
public class LeadRowMapper implements EventRowMapper {

    private final Json json;

    public LeadRowMapper(Json json) {
        this.json = json;
    }

    /**
     * Whether the row records a stage change (store-lead, as {@code ref: leadStageChanged}; OGNL on the row would
     * hash it).
     */
    public boolean stageChanged(Map<?, ?> row) {
        return Boolean.TRUE.equals(row.get("stage_changed"));
    }

    @Override
    public Map<String, Object> toRow(AmoEvent event, InboundRequest request) {
        EntityRow row = new EntityRow(event, request, json).numericId("id");
        EventFields f = row.fields();
        Long statusId = f.number("status_id");
        Long pipelineId = f.number("pipeline_id");
        Long oldStatusId = f.number("old_status_id");
        Long oldPipelineId = f.number("old_pipeline_id");
        row.column("status_id", statusId, f.has("status_id"))
                .column("pipeline_id", pipelineId, f.has("pipeline_id"))
                .column("price", f.decimal("price"), f.has("price"))
                .put("old_status_id", oldStatusId)
                .put("old_pipeline_id", oldPipelineId);
        boolean statusMoved = oldStatusId != null && statusId != null && !Objects.equals(oldStatusId, statusId);
        boolean pipelineMoved = oldPipelineId != null && pipelineId != null && !Objects.equals(oldPipelineId, pipelineId);
        row.put("stage_changed", statusMoved || pipelineMoved
                || event.action().equals("status") && statusId != null && oldStatusId == null);
        return row.toParams();
    }
}
