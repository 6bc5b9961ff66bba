package dev.amowebhook.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads one statement from {@code classpath:sql/...}: the admin queries live in files like the flow's writes. */
final class SqlFile {

    private SqlFile() {
    }

    static String load(String path) {
        try (InputStream in = SqlFile.class.getClassLoader().getResourceAsStream("sql/" + path)) {
            if (in == null) {
                throw new IllegalStateException("missing SQL file sql/" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
