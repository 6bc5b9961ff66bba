package dev.amowebhook.deadletter;

import org.springframework.jmx.export.annotation.ManagedAttribute;
import org.springframework.jmx.export.annotation.ManagedOperation;
import org.springframework.jmx.export.annotation.ManagedOperationParameter;
import org.springframework.jmx.export.annotation.ManagedResource;

/**
 * Dead letters as a JMX managed resource, so an operator can see the depth and replay from Hawtio's
 * Operations tab (domain {@code amocrm}, type {@code DeadLetters}).
 */
@ManagedResource(objectName = "amocrm:type=DeadLetters", description = "Dead letters: depth and replay")
public class DeadLetterOperations {

    private static final String OPERATOR = "jmx";

    private final DeadLetterStore store;
    private final DeadLetterReplayer replayer;

    public DeadLetterOperations(DeadLetterStore store, DeadLetterReplayer replayer) {
        this.store = store;
        this.replayer = replayer;
    }

    @ManagedAttribute(description = "Dead letters waiting to be replayed")
    public long getPending() {
        return store.count(new DeadLetterFilter("pending", null, null, null, null, null));
    }

    @ManagedOperation(description = "Replays one dead letter through the live routes")
    @ManagedOperationParameter(name = "id", description = "dead letter id")
    public String replay(long id) {
        ReplayResult result = replayer.replay(id, OPERATOR);
        return result.result() + (result.outcome() != null ? " (" + result.outcome() + ")" : "")
                + (result.error() != null ? ": " + result.error() : "");
    }

    @ManagedOperation(description = "Replays every pending dead letter of an entity and action (empty = all)")
    @ManagedOperationParameter(name = "entity", description = "lead, contact, ... or empty")
    @ManagedOperationParameter(name = "action", description = "add, update, ... or empty")
    public String replayAll(String entity, String action) {
        var results = replayer.replayAll(new DeadLetterFilter("pending", entity, action, null, null, null), OPERATOR);
        long replayed = results.stream().filter(r -> r.result().equals("replayed")).count();
        return "matched " + results.size() + ", replayed " + replayed + ", failed "
                + results.stream().filter(r -> r.result().equals("failed")).count();
    }

    @ManagedOperation(description = "Counts what replayAll would replay, replaying nothing")
    @ManagedOperationParameter(name = "entity", description = "lead, contact, ... or empty")
    @ManagedOperationParameter(name = "action", description = "add, update, ... or empty")
    public int dryRun(String entity, String action) {
        return replayer.dryRun(new DeadLetterFilter("pending", entity, action, null, null, null));
    }
}
