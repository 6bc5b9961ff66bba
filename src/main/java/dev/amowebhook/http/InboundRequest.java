package dev.amowebhook.http;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One webhook request as it came off the wire, captured by {@link WebhookBodyFilter} before any framework
 * could interpret it: the exact body bytes (needed for HMAC) and the few headers the flow uses.
 *
 * @param id            our own id for the request, the key of its journal row
 * @param body          the raw body, empty when {@code bodyTooLarge}
 * @param bodyTooLarge  the body exceeded the configured limit; {@code size} is how much was read
 * @param bodySha256    hex SHA-256 of the body, how a re-delivery without a request id is recognised
 * @param signatures    every value of the signature header (several values are refused)
 * @param pathToken     the token path segment of {@code /api/webhooks/amo/{token}}, or null
 * @param queryToken    the {@code token} query parameter, or null
 */
public record InboundRequest(
        UUID id,
        Instant receivedAt,
        byte[] body,
        long size,
        boolean bodyTooLarge,
        String bodySha256,
        String contentType,
        String amoRequestId,
        List<String> signatures,
        String pathToken,
        String queryToken,
        String remoteAddress) {

    public static final String ATTRIBUTE = InboundRequest.class.getName();
}
