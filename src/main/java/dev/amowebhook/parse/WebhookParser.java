package dev.amowebhook.parse;

import dev.amowebhook.event.AmoWebhook;
import dev.amowebhook.http.InboundRequest;
import dev.amowebhook.http.WebhookRejectedException;
import java.util.Locale;

/** Turns the captured request body into an {@link AmoWebhook}, refusing anything that is not a well-formed form. */
public class WebhookParser {

    private static final String FORM = "application/x-www-form-urlencoded";

    private final FormTreeParser formParser;

    public WebhookParser(FormTreeParser formParser) {
        this.formParser = formParser;
    }

    public AmoWebhook parse(InboundRequest request) {
        String contentType = request.contentType();
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).startsWith(FORM)) {
            throw new WebhookRejectedException(400, "not_a_form", "unsupported content type '"
                    + FormTreeParser.preview(contentType) + "': amoCRM webhooks are " + FORM);
        }
        if (request.body().length == 0) {
            throw new WebhookRejectedException(400, "empty_body", "the request body is empty");
        }
        try {
            return AmoWebhook.of(formParser.parse(request.body()));
        } catch (MalformedFormException e) {
            throw new WebhookRejectedException(400, "malformed_form", "malformed form body: " + e.getMessage());
        }
    }
}
