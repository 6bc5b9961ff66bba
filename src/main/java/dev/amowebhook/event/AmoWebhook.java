package dev.amowebhook.event;

import java.util.Map;

/** A parsed webhook body: the account block and the remaining tree of {@code entity[action][i][...]}. */
public record AmoWebhook(Account account, Map<String, Object> tree) {

    public static AmoWebhook of(Map<String, Object> tree) {
        return new AmoWebhook(Account.from(tree.get("account")), tree);
    }
}
