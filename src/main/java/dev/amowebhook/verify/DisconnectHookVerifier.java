package dev.amowebhook.verify;

import dev.amowebhook.http.WebhookRejectedException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Header;

/**
 * Verifies amoCRM's integration disconnect hook, the one amoCRM request that is signed:
 * {@code GET ...?account_id=..&client_uuid=..&signature=hex(HMAC_SHA256(client_secret, client_uuid + "|" + account_id))},
 * where {@code client_uuid} is the integration's {@code AMOCRM_CLIENT_ID}. Returns the parameters of
 * {@code sql/disconnect-insert.sql}.
 */
public class DisconnectHookVerifier {

    private final String clientId;
    private final List<String> secrets;

    public DisconnectHookVerifier(String clientId, List<String> secrets) {
        this.clientId = clientId == null ? "" : clientId.trim();
        this.secrets = secrets;
    }

    public Map<String, Object> verify(@Header("account_id") String accountId, @Header("client_uuid") String clientUuid,
                                      @Header("signature") String signature) {
        if (clientId.isEmpty() || secrets.isEmpty()) {
            throw new WebhookRejectedException(401, "auth_not_configured",
                    "the disconnect hook needs AMOCRM_CLIENT_ID and AMOCRM_CLIENT_SECRET on the server");
        }
        if (isBlank(accountId) || isBlank(clientUuid) || isBlank(signature)) {
            throw new WebhookRejectedException(400, "missing_parameter",
                    "account_id, client_uuid and signature are required");
        }
        byte[] presented = HmacSha256.decodeSignature(signature);
        byte[] message = (clientUuid + "|" + accountId).getBytes(StandardCharsets.UTF_8);
        boolean valid = false;
        for (String secret : secrets) {
            valid |= HmacSha256.matches(HmacSha256.sign(secret, message), presented);
        }
        if (!valid) {
            throw new WebhookRejectedException(401, "invalid_signature", "Invalid signature");
        }
        if (!MessageDigest.isEqual(clientId.getBytes(StandardCharsets.UTF_8), clientUuid.getBytes(StandardCharsets.UTF_8))) {
            throw new WebhookRejectedException(403, "unknown_client", "client_uuid is not this integration's client id");
        }
        Map<String, Object> row = new HashMap<>();
        row.put("account_id", accountId.trim());
        row.put("client_uuid", clientUuid.trim());
        return row;
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
