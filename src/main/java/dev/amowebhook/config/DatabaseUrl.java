package dev.amowebhook.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database location as users write it in {@code DB_URL}: either the libpq form
 * {@code postgresql://user:pass@host:5432/db?sslmode=require} or a JDBC URL.
 * Parsed by hand, as libpq does (only {@code %XX} is decoded, host names may contain {@code _}): Java's URI would
 * turn {@code +} into a space, refuse Docker-style host names and quote the whole URL, password included, in its
 * errors. Credentials are split out; neither errors nor {@link #toString()} ever show a password.
 */
public record DatabaseUrl(String jdbcUrl, String username, String password) {

    /** RFC 3986 user-info characters: unreserved, sub-delims and percent escapes (libpq's URI form). */
    private static final String USERINFO = "[A-Za-z0-9._~!$&'()*+,;=%-]";
    private static final Pattern LIBPQ = Pattern.compile(
            "^(?:postgresql|postgres)://(?:(?<user>" + USERINFO + "*)(?::(?<password>" + USERINFO + "*))?@)?"
                    + "(?<host>\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::(?<port>\\d{1,5}))?"
                    + "(?<path>/[^?#\\s]*)?(?:\\?(?<query>[^#\\s]*))?$");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&]*");

    public static DatabaseUrl parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("DB_URL is empty");
        }
        String url = value.trim();
        if (url.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(url, null, null);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new IllegalArgumentException(
                    "DB_URL must start with postgresql://, postgres:// or jdbc:postgresql:");
        }
        Matcher m = LIBPQ.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "DB_URL is not of the form postgresql://user:password@host:port/database");
        }
        String user = m.group("user") == null || m.group("user").isEmpty() ? null : decode(m.group("user"), "user");
        String password = m.group("password") == null ? null : decode(m.group("password"), "password");
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(m.group("host"));
        if (m.group("port") != null) {
            jdbc.append(':').append(m.group("port"));
        }
        String path = m.group("path");
        jdbc.append(path == null || path.equals("/") ? "/postgres" : path);
        if (m.group("query") != null && !m.group("query").isEmpty()) {
            jdbc.append('?').append(m.group("query"));
        }
        return new DatabaseUrl(jdbc.toString(), user, password);
    }

    /** Percent-decoding only, as libpq does; the error names the part, never its value. */
    private static String decode(String part, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                int hi = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
                int lo = i + 2 < part.length() ? Character.digit(part.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("DB_URL has a broken percent escape in the " + name);
                }
                out.write((hi << 4) | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***") + ", user=" + username + "]";
    }
}
