package dev.amowebhook.http;

/**
 * A request refused as a whole, before any event was stored: answered with {@code status} and a JSON error
 * naming the problem, and journaled as rejected. The message must never contain a secret.
 */
public class WebhookRejectedException extends RuntimeException {

    private final int status;
    private final String cause;

    /**
     * @param status  the HTTP status to answer
     * @param cause   a short stable code for the journal and metrics, e.g. {@code invalid_signature}
     * @param message what a person reads
     */
    public WebhookRejectedException(int status, String cause, String message) {
        super(message, null, false, false);
        this.status = status;
        this.cause = cause;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return cause;
    }
}
