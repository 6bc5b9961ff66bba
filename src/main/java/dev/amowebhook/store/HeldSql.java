package dev.amowebhook.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What a statement text camel-sql prepares is to an {@link UpsertBatch}: an upsert or a journal row it may hold back
 * (each changes exactly one row when it does what it reported), or neither; and how many {@code ?} placeholders it
 * has, so that several held texts can be sent as one. Read once per text and cached.
 */
final class HeldSql {

    /** Statements a batch may hold back, and the rest. */
    enum Kind { UPSERT, JOURNAL_ROW, OTHER }

    /**
     * Upserts whose only result is their count: the store routes' ({@code sql/*-upsert.sql}, the soft deletes,
     * {@code unsorted-decide.sql}) and any extension's of the same form.
     */
    private static final Pattern UPSERT = Pattern.compile(
            "(?is)\\s*INSERT\\s+INTO\\s.*\\bON\\s+CONFLICT\\b.*\\bDO\\s+UPDATE\\b.*");
    /** The request's journal rows, one row each: held after the events with its upsert, sent by the commit. */
    private static final Pattern JOURNAL_ROW = Pattern.compile(
            "(?is)\\s*INSERT\\s+INTO\\s+webhook_(events|requests)\\s*\\([^()]*\\)\\s*VALUES\\s*\\(.*");
    private static final Pattern RETURNING = Pattern.compile("(?i)\\bRETURNING\\b");
    private static final Pattern COMMENT = Pattern.compile("--[^\\n]*");
    /** A second statement, or a closing ';' (which would make an empty one when texts are sent as one). */
    private static final Pattern MORE_STATEMENTS = Pattern.compile(";");
    /** Statements from files are a few dozen texts; one built per message must not fill memory. */
    private static final int MAX_STATEMENTS = 1000;
    private static final Map<String, Kind> KINDS = new ConcurrentHashMap<>();
    private static final Map<String, Integer> PLACEHOLDERS = new ConcurrentHashMap<>();

    private HeldSql() {
    }

    /** Whether camel-sql's statement text is an upsert a batch may hold back. */
    static boolean isUpsert(String sql) {
        return kind(sql) == Kind.UPSERT;
    }

    /** What camel-sql's statement text is to a batch: an upsert, a journal row, or neither (never held). */
    static Kind kind(String sql) {
        Kind known = KINDS.get(sql);
        if (known != null) {
            return known;
        }
        String code = COMMENT.matcher(sql).replaceAll(" ");
        Kind kind = Kind.OTHER;
        if (!RETURNING.matcher(sql).find() && !MORE_STATEMENTS.matcher(code).find()) {
            kind = UPSERT.matcher(code).matches() ? Kind.UPSERT : JOURNAL_ROW.matcher(code).matches() ? Kind.JOURNAL_ROW
                    : Kind.OTHER;
        }
        if (KINDS.size() < MAX_STATEMENTS) {
            KINDS.put(sql, kind);
        }
        return kind;
    }

    /**
     * The {@code ?} placeholders of a statement text, outside quotes and comments; -1 when the text has what this
     * count does not read (dollar quoting, {@code ??} escapes), so it is never sent with others.
     */
    static int placeholders(String sql) {
        Integer known = PLACEHOLDERS.get(sql);
        if (known != null) {
            return known;
        }
        int count = 0;
        for (int i = 0; i < sql.length() && count >= 0; i++) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = sql.indexOf(c, i + 1);
                i = end < 0 ? sql.length() : end;
            } else if (c == '-' && i + 1 < sql.length() && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? sql.length() : end;
            } else if (c == '/' && i + 1 < sql.length() && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? sql.length() : end + 1;
            } else if (c == '$' || (c == '?' && i + 1 < sql.length() && sql.charAt(i + 1) == '?')) {
                count = -1;
            } else if (c == '?') {
                count++;
            }
        }
        if (PLACEHOLDERS.size() < MAX_STATEMENTS) {
            PLACEHOLDERS.put(sql, count);
        }
        return count;
    }

    /** The text's first words, for a failure message. */
    static String firstWords(String sql) {
        String code = COMMENT.matcher(sql).replaceAll(" ").strip().replaceAll("\\s+", " ");
        return code.length() <= 40 ? code : code.substring(0, 40) + "...";
    }
}
