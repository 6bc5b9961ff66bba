package dev.amowebhook.store;

/**
 * An event failed while its request was stored without savepoints: the request is rolled back and stored again
 * with a savepoint per event, so the event can be dead-lettered alone. Never dead-lettered itself.
 */
public class SavepointsNeededException extends RuntimeException {

    public SavepointsNeededException(Throwable cause) {
        super("an event failed in fast mode: " + cause.getMessage(), cause, false, false);
    }
}
