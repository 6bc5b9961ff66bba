package dev.amowebhook.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.apache.camel.Exchange;

/** Sets an HTTP answer on an exchange: headers cleared first (else the status can be lost), then status and JSON. */
final class JsonAnswer {

    private JsonAnswer() {
    }

    static void write(Exchange exchange, ObjectMapper mapper, int status, Map<String, Object> body) {
        exchange.getIn().removeHeaders("*");
        exchange.getIn().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getIn().setHeader(Exchange.CONTENT_TYPE, "application/json");
        // sent with its Content-Length in one write, not as a flushed chunked stream and a terminating chunk
        exchange.getIn().setHeader(Exchange.HTTP_CHUNKED, false);
        try {
            exchange.getIn().setBody(mapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
