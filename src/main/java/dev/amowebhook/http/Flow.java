package dev.amowebhook.http;

import org.apache.camel.Exchange;

/** Names of the exchange properties the routes share; the YAML routes use the same strings. */
public final class Flow {

    /** The captured {@link InboundRequest}. */
    public static final String REQUEST = "amoRequest";
    /** The parsed webhook's {@link dev.amowebhook.event.Account}. */
    public static final String ACCOUNT = "amoAccount";
    /** The {@link dev.amowebhook.event.AmoEvent} an event route is working on. */
    public static final String EVENT = "amoEvent";
    /** What became of the event: stored, stale, dead-lettered, ignored. */
    public static final String OUTCOME = "amoOutcome";

    /** The id of the accepted request this one re-delivers, when it is a duplicate. */
    public static final String DUPLICATE_OF = "amoDuplicateOf";

    /** The refusal being answered, kept apart because a failure while journaling it replaces the caught exception. */
    public static final String REJECTION = "amoRejection";

    /** The refusal of the request being answered. */
    public static WebhookRejectedException rejection(Exchange exchange) {
        WebhookRejectedException kept = exchange.getProperty(REJECTION, WebhookRejectedException.class);
        return kept != null ? kept : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, WebhookRejectedException.class);
    }

    private Flow() {
    }
}
