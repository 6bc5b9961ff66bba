package dev.amowebhook.verify;

import dev.amowebhook.event.Account;
import dev.amowebhook.http.WebhookRejectedException;
import java.net.URI;
import java.util.Locale;

/**
 * Refuses (403) webhooks of another amoCRM account: with {@code AMOCRM_DOMAIN} set, {@code account[subdomain]} or
 * the host of {@code account[_links][self]} must be that account; with {@code AMOCRM_ACCOUNT_ID} set,
 * {@code account[id]} must match. A token or signature proves who may send; this proves whose data it is.
 */
public class AccountGuard {

    private final String subdomain;
    private final String host;
    private final String accountId;

    /**
     * @param domain    {@code examplecrm.amocrm.ru}, {@code https://examplecrm.kommo.com} or just {@code examplecrm};
     *                  blank switches the domain check off
     * @param accountId blank switches the id check off
     */
    public AccountGuard(String domain, String accountId) {
        String cleaned = domain == null ? "" : domain.trim().toLowerCase(Locale.ROOT)
                .replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        this.host = cleaned.contains(".") ? cleaned : null;
        this.subdomain = cleaned.isEmpty() ? null : cleaned.split("\\.")[0];
        this.accountId = accountId == null || accountId.isBlank() ? null : accountId.trim();
    }

    public void check(Account account) {
        if (subdomain != null && !domainMatches(account)) {
            throw new WebhookRejectedException(403, "wrong_account",
                    "the webhook is for another amoCRM account than this server's AMOCRM_DOMAIN");
        }
        if (accountId != null && !accountId.equals(account.id())) {
            throw new WebhookRejectedException(403, "wrong_account",
                    "the webhook is for another amoCRM account than this server's AMOCRM_ACCOUNT_ID");
        }
    }

    private boolean domainMatches(Account account) {
        if (account.subdomain() != null) {
            return account.subdomain().trim().equalsIgnoreCase(subdomain);
        }
        if (account.self() != null && host != null) {
            try {
                String selfHost = URI.create(account.self().trim()).getHost();
                return selfHost != null && selfHost.equalsIgnoreCase(host);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }
}
