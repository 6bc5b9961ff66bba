package dev.amowebhook.event;

import dev.amowebhook.http.Flow;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.store.AfterCommit;
import dev.amowebhook.store.TransactionBoundaries;
import java.util.Locale;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;

/**
 * The hooks integration engineers attach YAML routes to, without touching Java:
 * <ul>
 *   <li>{@code direct:before-store}: every event, before it is stored. The body is the event's fields (a Map) and
 *       may be changed (enrich); setting header {@code amoDrop} to true keeps the event out of the entity tables
 *       (it is journaled as ignored, with its payload).</li>
 *   <li>{@code direct:after-<entities>-<action>}, e.g. {@code direct:after-leads-status}: an event that was stored,
 *       handed over asynchronously, so a slow or failing extension never delays, undoes or dead-letters the event.
 *       A failed extension is retried and then dead-lettered on its own, with its own replay.</li>
 * </ul>
 * A hook no route consumes costs one lookup. Messages carry the event's fields as the body and the headers
 * {@code amoTopic}, {@code amoEntity}, {@code amoAction}, {@code amoEntityId}, {@code amoAccountId},
 * {@code amoAccountSubdomain}, {@code amoRequestId} and {@code amoOutcome}.
 */
public class ExtensionPoints {

    public static final String BEFORE_STORE = "direct:before-store";
    private static final String EXTENSIONS_QUEUE = "seda:extensions";
    /** The extension endpoint an event goes to, kept so its dead letter can be replayed to it alone. */
    public static final String TARGET = "amoExtensionTarget";
    private static final Map<String, String> PLURALS = Map.of("company", "companies", "unsorted", "unsorted",
            "customer", "customers");

    private final CamelContext camel;
    private final ProducerTemplate producer;

    public ExtensionPoints(CamelContext camel, ProducerTemplate producer) {
        this.camel = camel;
        this.producer = producer;
    }

    /** The after-hook of an event: {@code direct:after-leads-status}. */
    public static String afterHook(String entity, String action) {
        String plural = PLURALS.getOrDefault(entity, entity + "s");
        return ("direct:after-" + plural + "-" + action).toLowerCase(Locale.ROOT);
    }

    public boolean hasBeforeStore() {
        return consumed(BEFORE_STORE);
    }

    /** True when a route consumes this stored event's after-hook; remembers the hook as the target. */
    public boolean hasAfterHook(Exchange exchange) {
        if (!"stored".equals(exchange.getProperty(Flow.OUTCOME))) {
            return false;
        }
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        String hook = afterHook(event.entity(), event.action());
        if (!consumed(hook)) {
            return false;
        }
        exchange.setProperty(TARGET, hook);
        return true;
    }

    /**
     * Hands a stored event to its after-hook once the request's transaction has committed: an extension must
     * never see, or act on, an event that is then rolled back.
     */
    public void dispatchAfterCommit(Exchange exchange) {
        Exchange copy = exchange.copy();
        copy.removeProperty(TransactionBoundaries.FAST_MODE);
        AfterCommit.run(() -> producer.send(EXTENSIONS_QUEUE, copy));
    }

    /** The message every hook receives: the event's fields as the body, the rest as headers. */
    public void prepareMessage(Exchange exchange) {
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        InboundRequest request = exchange.getProperty(Flow.REQUEST, InboundRequest.class);
        var in = exchange.getIn();
        in.setHeader("amoTopic", event.topic());
        in.setHeader("amoEntity", event.entity());
        in.setHeader("amoAction", event.action());
        in.setHeader("amoEntityId", event.entityId());
        in.setHeader("amoAccountId", event.account().id());
        in.setHeader("amoAccountSubdomain", event.account().subdomain());
        in.setHeader("amoRequestId", request == null ? null : request.id().toString());
        in.setHeader("amoOutcome", exchange.getProperty(Flow.OUTCOME));
        in.setBody(event.data());
    }

    /** After {@code direct:before-store}: its changes become the event; {@code amoDrop} marks it ignored. */
    @SuppressWarnings("unchecked")
    public void applyBeforeStore(Exchange exchange) {
        AmoEvent event = exchange.getProperty(Flow.EVENT, AmoEvent.class);
        Object body = exchange.getIn().getBody();
        Map<String, Object> data = body instanceof Map<?, ?> map ? (Map<String, Object>) map : event.data();
        AmoEvent changed = new AmoEvent(event.topic(), event.entity(), event.action(), event.index(), data,
                event.account());
        exchange.setProperty(Flow.EVENT, changed);
        exchange.getIn().setBody(changed);
        if (exchange.getIn().getHeader("amoDrop", false, Boolean.class)) {
            exchange.setProperty(Flow.OUTCOME, "ignored");
        }
    }

    /** Whether a running route starts from this endpoint (routes may come and go with live reloading). */
    private boolean consumed(String uri) {
        String full = uri.replace("direct:", "direct://");
        for (Route route : camel.getRoutes()) {
            String from = route.getEndpoint().getEndpointUri();
            if (from.equals(full) || from.equals(uri)) {
                return true;
            }
        }
        return false;
    }
}
