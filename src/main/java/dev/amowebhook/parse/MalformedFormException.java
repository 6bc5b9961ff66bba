package dev.amowebhook.parse;

/** The body is not a well-formed {@code application/x-www-form-urlencoded} document within the limits. */
public class MalformedFormException extends RuntimeException {

    public MalformedFormException(String message) {
        super(message, null, false, false);
    }
}
