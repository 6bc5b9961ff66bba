package dev.amowebhook.http;

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

    private Flow() {
    }
}
