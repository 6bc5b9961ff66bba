package dev.amowebhook.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.http.WebhookProperties;
import dev.amowebhook.http.WebhookRejectedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Who may write: a body signed with a configured secret, or a request carrying a configured URL token. */
class WebhookAuthenticatorTest {

    private static final String SECRET = "s3cr3t-client-secret-XYZ";
    private static final String OLD_SECRET = "previous-secret-ABC";
    private static final String TOKEN = "tok-9f8e7d6c5b4a";
    private static final byte[] BODY = "leads%5Badd%5D%5B0%5D%5Bid%5D=1&account%5Bid%5D=31234567"
            .getBytes(StandardCharsets.UTF_8);

    private static WebhookProperties properties(String... secrets) {
        return new WebhookProperties(List.of(secrets), "X-Signature", 1_048_576, 10_000, 32, Duration.ofSeconds(10),
                8, 200, Duration.ofSeconds(2));
    }

    private static InboundRequest request(byte[] body, List<String> signatures, String pathToken, String queryToken) {
        return new InboundRequest(UUID.randomUUID(), Instant.now(), body, body.length, false, "sha",
                "application/x-www-form-urlencoded", "req-1", signatures, pathToken, queryToken, "127.0.0.1");
    }

    private static InboundRequest signed(String signature) {
        return request(BODY, List.of(signature), null, null);
    }

    private static String hex(String secret) {
        return HmacSha256.signHex(secret, BODY);
    }

    private static WebhookRejectedException refusal(WebhookAuthenticator auth, InboundRequest request) {
        WebhookRejectedException e = catchThrowableOfType(() -> auth.authenticate(request),
                WebhookRejectedException.class);
        assertThat(e).as("request should be refused").isNotNull();
        return e;
    }

    @Test
    void aBodySignedWithTheSecretIsAcceptedInEveryEncoding() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);
        byte[] mac = HmacSha256.sign(SECRET, BODY);

        for (String signature : List.of(hex(SECRET), hex(SECRET).toUpperCase(), "sha256=" + hex(SECRET),
                Base64.getEncoder().encodeToString(mac), Base64.getUrlEncoder().withoutPadding().encodeToString(mac),
                "sha256=" + Base64.getEncoder().encodeToString(mac))) {
            assertThatCode(() -> auth.authenticate(signed(signature))).as(signature).doesNotThrowAnyException();
        }
    }

    @Test
    void aSignatureByAnyConfiguredSecretIsAcceptedSoSecretsCanBeRotated() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET, OLD_SECRET), List.of(), true);

        assertThatCode(() -> auth.authenticate(signed(hex(SECRET)))).doesNotThrowAnyException();
        assertThatCode(() -> auth.authenticate(signed(hex(OLD_SECRET)))).doesNotThrowAnyException();
        assertThat(refusal(auth, signed(hex("some-other-secret"))).reason()).isEqualTo("invalid_signature");
    }

    @Test
    void aWrongSignatureIsRefusedWith401() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);

        WebhookRejectedException e = refusal(auth, signed(hex("wrong")));

        assertThat(e.status()).isEqualTo(401);
        assertThat(e.reason()).isEqualTo("invalid_signature");
    }

    @Test
    void aSignatureOverADifferentBodyIsRefused() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);
        byte[] tampered = "leads%5Badd%5D%5B0%5D%5Bid%5D=2&account%5Bid%5D=31234567".getBytes(StandardCharsets.UTF_8);

        WebhookRejectedException e = refusal(auth, request(tampered, List.of(hex(SECRET)), null, null));

        assertThat(e.reason()).isEqualTo("invalid_signature");
    }

    @Test
    void aSignatureOfTheWrongLengthIsRefused() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);
        String valid = hex(SECRET);

        for (String bad : List.of(valid.substring(0, 62), valid + "00", valid.substring(2), "", "sha256=")) {
            assertThat(refusal(auth, signed(bad)).reason()).as(bad).isEqualTo("invalid_signature");
        }
    }

    @Test
    void aMissingSignatureIsRefusedAndTheMessageNamesTheHeader() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);

        WebhookRejectedException e = refusal(auth, request(BODY, List.of(), null, null));

        assertThat(e.status()).isEqualTo(401);
        assertThat(e.reason()).isEqualTo("missing_signature");
        assertThat(e.getMessage()).contains("X-Signature");
    }

    @Test
    void theSignatureHeaderSentTwiceIsRefusedEvenWhenBothAreValid() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);

        WebhookRejectedException e = refusal(auth, request(BODY, List.of(hex(SECRET), hex(SECRET)), null, null));

        assertThat(e.status()).isEqualTo(401);
        assertThat(e.reason()).isEqualTo("invalid_signature");
        assertThat(e.getMessage()).contains("more than once");
    }

    @Test
    void theConfiguredTokenIsAcceptedInThePathOrTheQuery() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(), List.of(TOKEN), true);

        assertThatCode(() -> auth.authenticate(request(BODY, List.of(), TOKEN, null))).doesNotThrowAnyException();
        assertThatCode(() -> auth.authenticate(request(BODY, List.of(), null, TOKEN))).doesNotThrowAnyException();
    }

    @Test
    void anyOfSeveralTokensIsAccepted() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(), List.of("old-token", TOKEN), true);

        assertThatCode(() -> auth.authenticate(request(BODY, List.of(), "old-token", null))).doesNotThrowAnyException();
        assertThatCode(() -> auth.authenticate(request(BODY, List.of(), null, TOKEN))).doesNotThrowAnyException();
    }

    @Test
    void aWrongTokenIsRefusedWith401() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(TOKEN), true);

        for (InboundRequest r : List.of(request(BODY, List.of(), "wrong", null), request(BODY, List.of(), null, "wrong"),
                request(BODY, List.of(), TOKEN.substring(0, TOKEN.length() - 1), null),
                request(BODY, List.of(), TOKEN + "x", null), request(BODY, List.of(), "", null),
                request(BODY, List.of(), null, TOKEN.toUpperCase()))) {
            WebhookRejectedException e = refusal(auth, r);
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.reason()).isEqualTo("invalid_token");
        }
    }

    @Test
    void aTokenIsRefusedWhenOnlySecretsAreConfigured() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET), List.of(), true);

        assertThat(refusal(auth, request(BODY, List.of(), SECRET, null)).reason()).isEqualTo("invalid_token");
    }

    @Test
    void aSignatureIsRefusedWhenOnlyTokensAreConfigured() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(), List.of(TOKEN), true);

        assertThat(refusal(auth, signed(HmacSha256.signHex(TOKEN, BODY))).reason()).isEqualTo("invalid_signature");
    }

    @Test
    void withNoSecretAndNoTokenEveryRequestIsRefusedFailClosed() {
        List<WebhookAuthenticator> unconfigured = List.of(
                new WebhookAuthenticator(properties(), List.of(), true),
                new WebhookAuthenticator(properties("", "  "), new ArrayList<>(java.util.Arrays.asList("", null, " ")),
                        true));

        for (WebhookAuthenticator auth : unconfigured) {
            for (InboundRequest r : List.of(request(BODY, List.of(), null, null), signed(hex("any-secret")),
                    request(BODY, List.of(), "", null), request(BODY, List.of(), null, " "))) {
                WebhookRejectedException e = refusal(auth, r);
                assertThat(e.status()).isEqualTo(401);
                assertThat(e.reason()).isEqualTo("auth_not_configured");
            }
        }
    }

    @Test
    void withAuthenticationSwitchedOffEverythingPasses() {
        WebhookAuthenticator off = new WebhookAuthenticator(properties(), List.of(), false);
        WebhookAuthenticator offWithSecret = new WebhookAuthenticator(properties(SECRET), List.of(TOKEN), false);

        for (WebhookAuthenticator auth : List.of(off, offWithSecret)) {
            assertThatCode(() -> auth.authenticate(request(BODY, List.of(), null, null))).doesNotThrowAnyException();
            assertThatCode(() -> auth.authenticate(signed("garbage"))).doesNotThrowAnyException();
            assertThatCode(() -> auth.authenticate(request(BODY, List.of("a", "b"), "wrong", "wrong")))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void errorMessagesNeverContainTheSecretsOrTokens() {
        WebhookAuthenticator auth = new WebhookAuthenticator(properties(SECRET, OLD_SECRET), List.of(TOKEN), true);
        List<InboundRequest> bad = List.of(
                request(BODY, List.of(), null, null),
                signed(hex("wrong")),
                signed(SECRET),
                request(BODY, List.of(hex(SECRET), hex(OLD_SECRET)), null, null),
                request(BODY, List.of(), "wrong-" + TOKEN, null),
                request(BODY, List.of(), null, SECRET));

        for (InboundRequest r : bad) {
            WebhookRejectedException e = refusal(auth, r);
            assertThat(e.getMessage()).isNotBlank()
                    .doesNotContain(SECRET).doesNotContain(OLD_SECRET).doesNotContain(TOKEN)
                    .doesNotContain(hex(SECRET)).doesNotContain(hex(OLD_SECRET));
            assertThat(String.valueOf(e)).doesNotContain(SECRET).doesNotContain(TOKEN);
        }
        WebhookRejectedException notConfigured = refusal(new WebhookAuthenticator(properties(), List.of(), true),
                request(BODY, List.of(), null, null));
        assertThat(notConfigured.getMessage()).doesNotContain(SECRET);
    }

    @Test
    void theSignatureHeaderNameComesFromTheProperties() {
        WebhookAuthenticator auth = new WebhookAuthenticator(
                new WebhookProperties(List.of(SECRET), "X-Hub-Signature-256", 1_048_576, 10_000, 32,
                        Duration.ofSeconds(10), 8, 200, Duration.ofSeconds(2)), List.of(), true);

        assertThatThrownBy(() -> auth.authenticate(request(BODY, List.of(), null, null)))
                .isInstanceOf(WebhookRejectedException.class)
                .hasMessageContaining("X-Hub-Signature-256");
    }
}
