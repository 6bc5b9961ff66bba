package dev.amowebhook.deadletter;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.amowebhook.event.AmoEvent;
import dev.amowebhook.event.ExtensionPoints;
import dev.amowebhook.event.RequestAbort;
import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays dead letters through the same route as live events ({@code direct:route-event}: router, newer-wins
 * rule, event dedupe), so a replay of an old event cannot overwrite newer data. The dead letter of an extension
 * (its event was stored, the extension failed) is replayed to that extension alone.
 * <p>Each replay is one transaction: the dead letter is locked with {@code FOR UPDATE SKIP LOCKED} (a second
 * server replaying the same set skips it), the event's writes run in that transaction, and the row is marked
 * replayed in it, so the event is applied exactly once. If the event fails again the transaction rolls back and
 * the failure (attempts + 1, the new error) is recorded in a fresh one; the row stays pending.
 */
public class DeadLetterReplayer {

    /** Set on replayed exchanges: the dead-letter route then reports the failure instead of writing a new row. */
    public static final String DEAD_LETTER_ID = "amoDeadLetterId";
    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayer.class);

    private final DeadLetterStore store;
    private final TransactionTemplate transactions;
    private final ProducerTemplate producer;
    private final ObjectMapper mapper;
    private final MeterRegistry meters;
    private final ExtensionPoints extensions;

    public DeadLetterReplayer(DeadLetterStore store, TransactionTemplate transactions, ProducerTemplate producer,
                              ObjectMapper mapper, MeterRegistry meters, ExtensionPoints extensions) {
        this.store = store;
        this.extensions = extensions;
        this.transactions = transactions;
        this.producer = producer;
        this.mapper = mapper;
        this.meters = meters;
    }

    public ReplayResult replay(long id, String by) {
        ReplayResult result;
        try {
            result = transactions.execute(status -> replayLocked(id, by));
        } catch (ReplayFailedException e) {
            Throwable root = DeadLetterRecorder.rootCauseOf(e.getCause());
            transactions.executeWithoutResult(status -> store.recordFailure(id, e.getCause().getClass().getName(),
                    e.getCause().getMessage(), root == e.getCause() ? null : root.getClass().getName() + ": "
                            + root.getMessage(), by));
            log.warn("replay of dead letter {} failed again: {}", id, e.getCause().getMessage());
            result = ReplayResult.failed(id, e.getCause().getMessage());
        }
        Counter.builder("amocrm_dead_letter_replays").description("Dead-letter replays by result")
                .tag("result", result.result()).register(meters).increment();
        return result;
    }

    /** Counts what a bulk replay would take, replaying nothing. */
    public int dryRun(DeadLetterFilter filter) {
        return store.pendingIds(filter).size();
    }

    public List<ReplayResult> replayAll(DeadLetterFilter filter, String by) {
        return store.pendingIds(filter).stream().map(id -> replay(id, by)).toList();
    }

    private ReplayResult replayLocked(long id, String by) {
        Optional<Map<String, Object>> row = store.lockPending(id);
        if (row.isEmpty()) {
            return ReplayResult.skipped(id);
        }
        AmoEvent event = DeadLetterRecorder.fromEnvelope(readEnvelope((String) row.get().get("payload")));
        String target = (String) row.get().get("target");
        InboundRequest replayRequest = new InboundRequest(UUID.randomUUID(), Instant.now(), new byte[0], 0, false,
                null, null, "replay-of-dead-letter-" + id, List.of(), null, null, "replay");
        // a stored event whose extension failed goes to that extension alone; any other to the live routes
        Exchange result = producer.send(target != null ? target : "direct:route-event", exchange -> {
            exchange.setProperty(Flow.REQUEST, replayRequest);
            exchange.setProperty(DEAD_LETTER_ID, id);
            exchange.setProperty(Flow.EVENT, event);
            new RequestAbort().open(exchange);
            exchange.getIn().setBody(event);
            if (target != null) {
                exchange.setProperty(Flow.OUTCOME, "stored");
                extensions.prepareMessage(exchange);
            }
        });
        Throwable failure = result.getException() != null ? result.getException()
                : "dead-lettered".equals(result.getProperty(Flow.OUTCOME))
                ? result.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class) : null;
        if (failure != null) {
            throw new ReplayFailedException(failure);
        }
        String outcome = target != null ? "delivered" : result.getProperty(Flow.OUTCOME, String.class);
        store.markReplayed(id, outcome, by);
        log.info("dead letter {} replayed by {}: {}", id, by, outcome);
        return ReplayResult.replayed(id, outcome);
    }

    private Map<String, Object> readEnvelope(String json) {
        try {
            return mapper.readValue(json, new TypeReference<>() { });
        } catch (Exception e) {
            throw new ReplayFailedException(e);
        }
    }

    /** Rolls the replay transaction back, carrying the event's failure out of it. */
    static final class ReplayFailedException extends RuntimeException {
        ReplayFailedException(Throwable cause) {
            super(cause);
        }
    }
}
