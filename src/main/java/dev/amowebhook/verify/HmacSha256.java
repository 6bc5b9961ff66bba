package dev.amowebhook.verify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 and the comparison of a presented signature (hex or base64, optional {@code sha256=}) against it. */
public final class HmacSha256 {

    private HmacSha256() {
    }

    public static byte[] sign(String secret, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    public static String signHex(String secret, byte[] message) {
        return HexFormat.of().formatHex(sign(secret, message));
    }

    /** Decodes a presented signature to its 32 bytes, or null when it is neither hex nor base64 of that length. */
    public static byte[] decodeSignature(String presented) {
        if (presented == null) {
            return null;
        }
        String value = presented.trim();
        if (value.regionMatches(true, 0, "sha256=", 0, 7)) {
            value = value.substring(7);
        }
        if (value.length() == 64) {
            try {
                return HexFormat.of().parseHex(value.toLowerCase());
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        try {
            byte[] decoded = value.contains("-") || value.contains("_")
                    ? Base64.getUrlDecoder().decode(value) : Base64.getDecoder().decode(value);
            return decoded.length == 32 ? decoded : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Constant-time: the time taken does not depend on how many leading bytes match. */
    public static boolean matches(byte[] expected, byte[] presented) {
        return presented != null && MessageDigest.isEqual(expected, presented);
    }
}
