package dev.amowebhook.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class RouteInflightGaugesTest {

    @Test
    void countsTheExchangesInEachRouteAndFollowsRoutesAddedAndRemoved() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CountDownLatch release = new CountDownLatch(1);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.getManagementStrategy().addEventNotifier(new RouteInflightGauges(registry));
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:held").routeId("held").process(exchange -> release.await(10, TimeUnit.SECONDS));
                }
            });
            context.start();
            assertThat(gauge(registry, "held").value()).isZero();

            var template = context.createProducerTemplate();
            var first = template.asyncSendBody("direct:held", "a");
            var second = template.asyncSendBody("direct:held", "b");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (gauge(registry, "held").value() < 2.0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(gauge(registry, "held").value()).isEqualTo(2.0);
            release.countDown();
            first.get(5, TimeUnit.SECONDS);
            second.get(5, TimeUnit.SECONDS);
            assertThat(gauge(registry, "held").value()).isZero();

            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:later").routeId("later").log("${body}");
                }
            });
            assertThat(registry.find(RouteInflightGauges.NAME).tag("routeId", "later").gauge()).isNotNull();

            context.getRouteController().stopRoute("held");
            context.removeRoute("held");
            assertThat(registry.find(RouteInflightGauges.NAME).tag("routeId", "held").gauge()).isNull();
        }
    }

    private static Gauge gauge(SimpleMeterRegistry registry, String routeId) {
        Gauge gauge = registry.find(RouteInflightGauges.NAME).tag("routeId", routeId).gauge();
        assertThat(gauge).as("gauge of route " + routeId).isNotNull();
        return gauge;
    }
}
