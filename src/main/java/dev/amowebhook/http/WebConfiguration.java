package dev.amowebhook.http;

import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.coyote.AbstractProtocol;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /**
     * Container threads beyond the webhook slots, for what else arrives while every slot is taken: operators
     * (actuator, Hawtio, the admin API), probes, and webhooks still sending their body or about to be refused.
     * Not reserved for any of them.
     */
    static final int OPERATOR_THREADS = 20;

    /** First in the chain, so nothing reads the webhook body before it is captured. */
    @Bean
    FilterRegistrationBean<WebhookBodyFilter> webhookBodyFilter(WebhookProperties properties) {
        FilterRegistrationBean<WebhookBodyFilter> registration =
                new FilterRegistrationBean<>(new WebhookBodyFilter(properties));
        registration.addUrlPatterns(WebhookBodyFilter.PATH, WebhookBodyFilter.PATH + "/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    WebhookWorkers webhookWorkers(WebhookProperties properties) {
        return new WebhookWorkers(properties.workers(), properties.queue(), properties.queueWait());
    }

    /** Replaces the starter's engine (it backs off when one is defined). */
    @Bean(name = "platform-http-engine")
    PlatformHttpEngine platformHttpEngine(@Value("${server.port:8080}") int port, WebhookWorkers workers) {
        return new SameThreadHttpEngine(port, workers);
    }

    /**
     * A waiting webhook holds its container thread, so the container gets at least one thread per webhook slot
     * (workers and queue) and some more; below that, requests past the thread limit would wait unseen in the
     * container's own queue instead of being answered 503.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> threadsForEveryWebhookSlot(WebhookProperties properties) {
        int needed = properties.workers() + properties.queue() + OPERATOR_THREADS;
        return factory -> factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol
                    && protocol.getMaxThreads() < needed) {
                protocol.setMaxThreads(needed);
            }
        });
    }
}
