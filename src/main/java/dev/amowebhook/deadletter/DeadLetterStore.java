package dev.amowebhook.deadletter;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** Reads and changes dead letters for operators; each statement is a file under {@code sql/admin/}. */
public class DeadLetterStore {

    private static final String LIST = SqlFile.load("admin/dead-letters-list.sql");
    private static final String COUNT = SqlFile.load("admin/dead-letters-count.sql");
    private static final String IDS = SqlFile.load("admin/dead-letters-ids.sql");
    private static final String FIND = SqlFile.load("admin/dead-letter-find.sql");
    private static final String LOCK = SqlFile.load("admin/dead-letter-lock.sql");
    private static final String MARK_REPLAYED = SqlFile.load("admin/dead-letter-mark-replayed.sql");
    private static final String RECORD_FAILURE = SqlFile.load("admin/dead-letter-record-failure.sql");
    private static final String DISCARD = SqlFile.load("admin/dead-letter-discard.sql");
    private static final String EDIT = SqlFile.load("admin/dead-letter-edit.sql");
    private static final String DEPTH = SqlFile.load("admin/dead-letters-depth.sql");

    private final NamedParameterJdbcTemplate jdbc;

    public DeadLetterStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<Map<String, Object>> list(DeadLetterFilter filter, int limit, int offset) {
        return jdbc.queryForList(LIST, filter.parameters().addValue("limit", limit).addValue("offset", offset));
    }

    public long count(DeadLetterFilter filter) {
        Long count = jdbc.queryForObject(COUNT, filter.parameters(), Long.class);
        return count == null ? 0 : count;
    }

    public List<Long> pendingIds(DeadLetterFilter filter) {
        return jdbc.queryForList(IDS, filter.parameters(), Long.class);
    }

    public Optional<Map<String, Object>> find(long id) {
        return jdbc.queryForList(FIND, new MapSqlParameterSource("id", id)).stream().findFirst();
    }

    /** Within the caller's transaction: the pending row, locked, or empty when it is not pending or already taken. */
    Optional<Map<String, Object>> lockPending(long id) {
        return jdbc.queryForList(LOCK, new MapSqlParameterSource("id", id)).stream().findFirst();
    }

    void markReplayed(long id, String outcome, String by) {
        jdbc.update(MARK_REPLAYED, new MapSqlParameterSource("id", id).addValue("outcome", outcome).addValue("by", by));
    }

    void recordFailure(long id, String errorClass, String errorMessage, String rootCause, String by) {
        jdbc.update(RECORD_FAILURE, new MapSqlParameterSource("id", id).addValue("error_class", errorClass)
                .addValue("error_message", errorMessage).addValue("root_cause", rootCause).addValue("by", by));
    }

    public boolean discard(long id, String reason, String by) {
        return jdbc.update(DISCARD, new MapSqlParameterSource("id", id).addValue("reason", reason).addValue("by", by)) == 1;
    }

    public boolean editPayload(long id, String payloadJson, String by) {
        return jdbc.update(EDIT, new MapSqlParameterSource("id", id).addValue("payload", payloadJson)
                .addValue("by", by)) == 1;
    }

    public List<Map<String, Object>> depth() {
        return jdbc.queryForList(DEPTH, new MapSqlParameterSource());
    }
}
