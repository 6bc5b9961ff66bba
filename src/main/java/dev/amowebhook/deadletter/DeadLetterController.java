package dev.amowebhook.deadletter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.security.Principal;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The operators' dead-letter API (behind operator credentials): list with filters and pages, show one, replay one
 * or in bulk (with a dry run that only counts), discard with a reason, and edit a pending payload before replaying.
 */
@RestController
@RequestMapping("/api/admin/dead-letters")
class DeadLetterController {

    private static final int MAX_PAGE = 500;

    private final DeadLetterStore store;
    private final DeadLetterReplayer replayer;
    private final ObjectMapper mapper;

    DeadLetterController(DeadLetterStore store, DeadLetterReplayer replayer, ObjectMapper mapper) {
        this.store = store;
        this.replayer = replayer;
        this.mapper = mapper;
    }

    @GetMapping
    Map<String, Object> list(@RequestParam(required = false) String status,
                             @RequestParam(required = false) String entity,
                             @RequestParam(required = false) String action,
                             @RequestParam(required = false) String error,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                             OffsetDateTime since,
                             @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                             OffsetDateTime until,
                             @RequestParam(defaultValue = "0") int page,
                             @RequestParam(defaultValue = "50") int size) {
        if (page < 0 || size < 1 || size > MAX_PAGE) {
            throw new IllegalArgumentException("page must be >= 0 and size between 1 and " + MAX_PAGE);
        }
        DeadLetterFilter filter = new DeadLetterFilter(status, entity, action, error, since, until);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("total", store.count(filter));
        body.put("page", page);
        body.put("size", size);
        body.put("items", store.list(filter, size, page * size));
        return body;
    }

    @GetMapping("/{id}")
    ResponseEntity<Object> show(@PathVariable long id) {
        return store.find(id).<ResponseEntity<Object>>map(row -> ResponseEntity.ok(withJson(row)))
                .orElseGet(() -> notFound(id));
    }

    @PostMapping("/{id}/replay")
    ResponseEntity<Object> replay(@PathVariable long id, Principal operator) {
        if (store.find(id).isEmpty()) {
            return notFound(id);
        }
        return ResponseEntity.ok(replayer.replay(id, operator.getName()));
    }

    @PostMapping("/replay")
    Map<String, Object> replayAll(@RequestParam(required = false) String entity,
                                  @RequestParam(required = false) String action,
                                  @RequestParam(required = false) String error,
                                  @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                                  OffsetDateTime since,
                                  @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
                                  OffsetDateTime until,
                                  @RequestParam(defaultValue = "false") boolean dryRun,
                                  Principal operator) {
        DeadLetterFilter filter = new DeadLetterFilter("pending", entity, action, error, since, until);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dryRun", dryRun);
        if (dryRun) {
            body.put("matched", replayer.dryRun(filter));
            return body;
        }
        List<ReplayResult> results = replayer.replayAll(filter, operator.getName());
        body.put("matched", results.size());
        body.put("replayed", results.stream().filter(r -> r.result().equals("replayed")).count());
        body.put("failed", results.stream().filter(r -> r.result().equals("failed")).count());
        body.put("skipped", results.stream().filter(r -> r.result().equals("skipped")).count());
        body.put("results", results);
        return body;
    }

    @PostMapping("/{id}/discard")
    ResponseEntity<Object> discard(@PathVariable long id, @RequestBody(required = false) Map<String, String> request,
                                   Principal operator) {
        String reason = request == null ? null : request.get("reason");
        if (reason == null || reason.isBlank()) {
            return error(HttpStatus.BAD_REQUEST, "a discard needs a reason: {\"reason\": \"...\"}");
        }
        if (store.find(id).isEmpty()) {
            return notFound(id);
        }
        return store.discard(id, reason, operator.getName()) ? show(id)
                : error(HttpStatus.CONFLICT, "dead letter " + id + " is not pending");
    }

    @PutMapping("/{id}/payload")
    ResponseEntity<Object> edit(@PathVariable long id, @RequestBody JsonNode payload, Principal operator)
            throws Exception {
        if (!payload.isObject() || !payload.path("data").isObject() || !payload.path("topic").isTextual()
                || !payload.path("action").isTextual()) {
            return error(HttpStatus.BAD_REQUEST,
                    "the payload is the event envelope: {\"topic\", \"entity\", \"action\", \"account\", \"data\": {...}}");
        }
        if (store.find(id).isEmpty()) {
            return notFound(id);
        }
        return store.editPayload(id, mapper.writeValueAsString(payload), operator.getName()) ? show(id)
                : error(HttpStatus.CONFLICT, "dead letter " + id + " is not pending; only pending ones can be edited");
    }

    @ExceptionHandler({IllegalArgumentException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Object> badRequest(Exception e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage());
    }

    private Map<String, Object> withJson(Map<String, Object> row) {
        Map<String, Object> out = new LinkedHashMap<>(row);
        for (String key : new String[] {"payload", "history"}) {
            try {
                out.put(key, mapper.readTree((String) row.get(key)));
            } catch (Exception e) {
                out.put(key, row.get(key));
            }
        }
        return out;
    }

    private static ResponseEntity<Object> notFound(long id) {
        return error(HttpStatus.NOT_FOUND, "no dead letter " + id);
    }

    private static ResponseEntity<Object> error(HttpStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.value());
        body.put("error", message);
        return ResponseEntity.status(status).body(body);
    }
}
