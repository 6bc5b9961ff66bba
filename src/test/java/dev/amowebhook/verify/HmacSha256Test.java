package dev.amowebhook.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** HMAC-SHA256 against published vectors, and every accepted and refused way of presenting a signature. */
class HmacSha256Test {

    /** RFC 4231, test case 2. */
    private static final String RFC4231_CASE2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void matchesRfc4231TestCase2() {
        assertThat(HmacSha256.signHex("Jefe", utf8("what do ya want for nothing?"))).isEqualTo(RFC4231_CASE2);
        assertThat(HmacSha256.sign("Jefe", utf8("what do ya want for nothing?")))
                .isEqualTo(HexFormat.of().parseHex(RFC4231_CASE2));
    }

    @Test
    void signsTheAmoCrmDisconnectHookMessageClientUuidBarAccountId() {
        // hex(HMAC_SHA256(client_secret, client_uuid + "|" + account_id)), computed independently with Python's hmac
        String clientSecret = "kP9s-client-secret-2f7Q";
        String message = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5" + "|" + "31234567";

        assertThat(HmacSha256.signHex(clientSecret, utf8(message)))
                .isEqualTo("353d5f292cc21e85e04fc402927386c4841e09e99a870e95584bc58e26da8862");
    }

    @Test
    void usesTheSecretAndTheMessageAsUtf8Bytes() {
        // key and message as UTF-8 bytes (computed independently with Python's hmac)
        assertThat(HmacSha256.signHex("ключ", utf8("тело")))
                .isEqualTo("a2f7b56b286461b520948607823ff19ac3db965233a0d7e529099df2acc6f4ba");
    }

    @Test
    void decodesLowerAndUpperCaseHex() {
        byte[] expected = HexFormat.of().parseHex(RFC4231_CASE2);

        assertThat(HmacSha256.decodeSignature(RFC4231_CASE2)).isEqualTo(expected);
        assertThat(HmacSha256.decodeSignature(RFC4231_CASE2.toUpperCase())).isEqualTo(expected);
        assertThat(HmacSha256.decodeSignature("  " + RFC4231_CASE2 + "\t")).isEqualTo(expected);
    }

    @Test
    void decodesAnOptionalSha256Prefix() {
        byte[] expected = HexFormat.of().parseHex(RFC4231_CASE2);

        assertThat(HmacSha256.decodeSignature("sha256=" + RFC4231_CASE2)).isEqualTo(expected);
        assertThat(HmacSha256.decodeSignature("SHA256=" + RFC4231_CASE2.toUpperCase())).isEqualTo(expected);
        assertThat(HmacSha256.decodeSignature("sha256=" + Base64.getEncoder().encodeToString(expected)))
                .isEqualTo(expected);
    }

    @Test
    void decodesBase64WithAndWithoutPadding() {
        byte[] expected = HexFormat.of().parseHex(RFC4231_CASE2);
        String padded = Base64.getEncoder().encodeToString(expected);

        assertThat(padded).endsWith("=");
        assertThat(HmacSha256.decodeSignature(padded)).isEqualTo(expected);
        assertThat(HmacSha256.decodeSignature(padded.replace("=", ""))).isEqualTo(expected);
    }

    @Test
    void decodesBase64WithPlusAndSlashAndBase64UrlWithDashAndUnderscore() {
        byte[] mac = signatureWhoseBase64Has('+', '/');
        String standard = Base64.getEncoder().encodeToString(mac);
        String url = Base64.getUrlEncoder().encodeToString(mac);
        String urlUnpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(mac);

        assertThat(standard).containsAnyOf("+", "/");
        assertThat(url).containsAnyOf("-", "_");
        assertThat(HmacSha256.decodeSignature(standard)).isEqualTo(mac);
        assertThat(HmacSha256.decodeSignature(url)).isEqualTo(mac);
        assertThat(HmacSha256.decodeSignature(urlUnpadded)).isEqualTo(mac);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "sha256=", "abc", "not a signature",
            // 31 and 33 bytes as hex
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec38",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec384300",
            // 64 characters, not hex
            "zbdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            // base64 of 31 and of 33 bytes
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOA==",
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEMA",
            // base64 with characters of both alphabets
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsO+_D"})
    void refusesSignaturesOfTheWrongLengthOrAlphabet(String presented) {
        assertThat(HmacSha256.decodeSignature(presented)).isNull();
    }

    @Test
    void refusesANullSignature() {
        assertThat(HmacSha256.decodeSignature(null)).isNull();
        assertThat(HmacSha256.matches(new byte[32], null)).isFalse();
    }

    @Test
    void matchesComparesTheWholeSignature() {
        byte[] expected = HexFormat.of().parseHex(RFC4231_CASE2);
        byte[] oneBitOff = expected.clone();
        oneBitOff[31] ^= 1;

        assertThat(HmacSha256.matches(expected, expected.clone())).isTrue();
        assertThat(HmacSha256.matches(expected, oneBitOff)).isFalse();
        assertThat(HmacSha256.matches(expected, new byte[31])).isFalse();
    }

    /** Finds, deterministically, a MAC whose base64 uses the characters that differ between the two alphabets. */
    static byte[] signatureWhoseBase64Has(char a, char b) {
        for (int i = 0; i < 10_000; i++) {
            byte[] mac = HmacSha256.sign("secret", utf8("body-" + i));
            String text = Base64.getEncoder().encodeToString(mac);
            if (text.indexOf(a) >= 0 && text.indexOf(b) >= 0) {
                return mac;
            }
        }
        throw new AssertionError("no MAC found");
    }
}
