package dev.amowebhook.monitoring;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Camel metrics the product adds to camel-micrometer's (Camel picks event notifier beans up by itself). */
@Configuration(proxyBeanMethods = false)
class MonitoringConfiguration {

    @Bean
    RouteInflightGauges routeInflightGauges(MeterRegistry registry) {
        return new RouteInflightGauges(registry);
    }
}
