package dev.amowebhook.verify;

import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.http.WebhookRejectedException;
import dev.amowebhook.http.WebhookProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a webhook request is authentic: an HMAC-SHA256 of the exact raw body with one of the
 * configured secrets, or (for amoCRM itself, which cannot sign) one of the configured URL tokens.
 * Fails closed: with nothing configured every webhook is refused unless authentication is switched off.
 */
public class WebhookAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(WebhookAuthenticator.class);

    private final List<String> secrets;
    private final List<byte[]> tokens;
    private final boolean enabled;
    private final String signatureHeader;

    public WebhookAuthenticator(WebhookProperties webhook, List<String> tokens, boolean enabled) {
        this.secrets = webhook.activeSecrets();
        this.tokens = tokens.stream().filter(t -> t != null && !t.isBlank())
                .map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.enabled = enabled;
        this.signatureHeader = webhook.signatureHeader();
        if (!enabled) {
            log.warn("Webhook authentication is switched OFF: anyone who can reach the server can write to it");
        } else if (secrets.isEmpty() && this.tokens.isEmpty()) {
            log.warn("No webhook secret or token is configured: every webhook will be refused "
                    + "(set AMOCRM_CLIENT_SECRET or AMOCRM_WEBHOOK_TOKEN)");
        }
    }

    public void authenticate(InboundRequest request) {
        if (!enabled) {
            return;
        }
        if (secrets.isEmpty() && tokens.isEmpty()) {
            throw new WebhookRejectedException(401, "auth_not_configured",
                    "webhook authentication is not configured on the server");
        }
        String token = request.pathToken() != null ? request.pathToken() : request.queryToken();
        if (token != null) {
            if (tokenMatches(token)) {
                return;
            }
            throw new WebhookRejectedException(401, "invalid_token", "Invalid token");
        }
        List<String> signatures = request.signatures();
        if (signatures.isEmpty()) {
            throw new WebhookRejectedException(401, "missing_signature",
                    "Missing signature: sign the raw body with HMAC-SHA256 in the " + signatureHeader
                            + " header, or use the token URL");
        }
        if (signatures.size() > 1) {
            throw new WebhookRejectedException(401, "invalid_signature", "Invalid signature: header sent more than once");
        }
        byte[] presented = HmacSha256.decodeSignature(signatures.get(0));
        boolean valid = false;
        for (String secret : secrets) {
            // evaluate every secret so timing does not reveal which one matched
            valid |= HmacSha256.matches(HmacSha256.sign(secret, request.body()), presented);
        }
        if (!valid) {
            throw new WebhookRejectedException(401, "invalid_signature", "Invalid signature");
        }
    }

    private boolean tokenMatches(String token) {
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        boolean valid = false;
        for (byte[] candidate : tokens) {
            valid |= MessageDigest.isEqual(candidate, presented);
        }
        return valid;
    }
}
