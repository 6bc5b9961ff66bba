package dev.amowebhook.http;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * First step of the receive route: takes the request captured by {@link WebhookBodyFilter}, and drops every
 * header platform-http copied from the HTTP request, so nothing a client sends (headers, query parameters)
 * can stand in for a Camel header or be echoed back in the answer.
 */
public class InboundRequestReader implements Processor {

    @Override
    public void process(Exchange exchange) {
        HttpServletRequest servletRequest =
                exchange.getIn().getHeader("CamelHttpServletRequest", HttpServletRequest.class);
        InboundRequest inbound = servletRequest == null ? null
                : (InboundRequest) servletRequest.getAttribute(InboundRequest.ATTRIBUTE);
        if (inbound == null) {
            throw new IllegalStateException("the webhook body filter did not capture this request");
        }
        exchange.getIn().removeHeaders("*");
        exchange.setProperty(Flow.REQUEST, inbound);
        exchange.getIn().setBody(inbound);
        if (inbound.bodyTooLarge()) {
            throw new WebhookRejectedException(413, "body_too_large",
                    "request body of " + inbound.size() + "+ bytes exceeds the limit");
        }
    }
}
