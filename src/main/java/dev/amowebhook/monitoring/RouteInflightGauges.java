package dev.amowebhook.monitoring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.CamelContextStartedEvent;
import org.apache.camel.spi.CamelEvent.RouteAddedEvent;
import org.apache.camel.spi.CamelEvent.RouteRemovedEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * {@code camel_exchanges_inflight{routeId}}: the exchanges in each route right now, read from Camel's inflight
 * repository when Prometheus scrapes. Camel's Micrometer exchange-event notifier offers the same gauge, but it also
 * times every send to every endpoint (several per event); this notifier listens to route events only, so Camel
 * creates no event objects per exchange. Follows routes added and removed at runtime (route reload).
 */
public final class RouteInflightGauges extends EventNotifierSupport {

    static final String NAME = "camel.exchanges.inflight";

    private final MeterRegistry registry;
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    public RouteInflightGauges(MeterRegistry registry) {
        this.registry = registry;
        setIgnoreExchangeEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(false);
        setIgnoreCamelContextEvents(false);
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof RouteAddedEvent || event instanceof RouteRemovedEvent
                || event instanceof CamelContextStartedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof RouteAddedEvent added) {
            register(added.getRoute());
        } else if (event instanceof RouteRemovedEvent removed) {
            Gauge gauge = gauges.remove(removed.getRoute().getRouteId());
            if (gauge != null) {
                registry.remove(gauge);
            }
        } else if (event instanceof CamelContextStartedEvent started) {
            started.getContext().getRoutes().forEach(this::register);
        }
    }

    private void register(Route route) {
        CamelContext context = route.getCamelContext();
        String routeId = route.getRouteId();
        gauges.computeIfAbsent(routeId, id -> Gauge.builder(NAME, () -> context.getInflightRepository().size(id))
                .description("Exchanges in the route right now")
                .tags("camelContext", context.getName(), "routeId", id)
                .register(registry));
    }
}
