package dev.amowebhook.http;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How webhooks are accepted.
 *
 * @param secrets         HMAC secrets; the first is {@code AMOCRM_CLIENT_SECRET}, more allow rotation
 * @param signatureHeader the header carrying the HMAC of the raw body
 * @param maxBodyBytes    larger bodies are answered 413
 * @param maxFields       more form fields than this are answered 400
 * @param maxDepth        deeper bracket nesting than this is answered 400
 * @param readTimeout     a body that takes longer than this to arrive is answered 408, so a slow client cannot
 *                        hold a worker
 * @param workers         webhooks processed at once (each holds a database connection while it runs)
 * @param queue           webhooks that may wait for a worker; beyond that the answer is 503 {@code overloaded}
 * @param queueWait       how long a webhook waits for a worker before it is answered 503 {@code overloaded}
 */
@ConfigurationProperties("amocrm.webhook")
public record WebhookProperties(
        @DefaultValue List<String> secrets,
        @DefaultValue("X-Signature") String signatureHeader,
        @DefaultValue("1048576") long maxBodyBytes,
        @DefaultValue("10000") int maxFields,
        @DefaultValue("32") int maxDepth,
        @DefaultValue("10s") Duration readTimeout,
        @DefaultValue("8") int workers,
        @DefaultValue("200") int queue,
        @DefaultValue("1s") Duration queueWait) {

    /** The configured secrets without blanks, in order. */
    public List<String> activeSecrets() {
        return secrets.stream().filter(s -> s != null && !s.isBlank()).toList();
    }
}
