package dev.amowebhook.deadletter;

/**
 * What one replay did.
 *
 * @param result  {@code replayed}, {@code failed} (still pending, attempts + 1) or {@code skipped} (not pending, or
 *                being replayed by another server right now)
 * @param outcome the event's outcome when replayed: stored, stale (newer data won), duplicate, ignored
 */
public record ReplayResult(long id, String result, String outcome, String error) {

    static ReplayResult replayed(long id, String outcome) {
        return new ReplayResult(id, "replayed", outcome, null);
    }

    static ReplayResult failed(long id, String error) {
        return new ReplayResult(id, "failed", null, error);
    }

    static ReplayResult skipped(long id) {
        return new ReplayResult(id, "skipped", null, null);
    }
}
