package dev.amowebhook.http;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    /** First in the chain, so nothing reads the webhook body before it is captured. */
    @Bean
    FilterRegistrationBean<WebhookBodyFilter> webhookBodyFilter(WebhookProperties properties) {
        FilterRegistrationBean<WebhookBodyFilter> registration =
                new FilterRegistrationBean<>(new WebhookBodyFilter(properties));
        registration.addUrlPatterns(WebhookBodyFilter.PATH, WebhookBodyFilter.PATH + "/*");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
