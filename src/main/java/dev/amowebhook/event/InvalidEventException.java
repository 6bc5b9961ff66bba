package dev.amowebhook.event;

/** An event whose fields cannot be stored as they are (a non-numeric id, a bad time): it is dead-lettered. */
public class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
