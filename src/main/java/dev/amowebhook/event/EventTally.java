package dev.amowebhook.event;

/** How many events of a request ended in each outcome; the body of the 200 answer and of the journal row. */
public final class EventTally {

    private int events;
    private int stored;
    private int stale;
    private int deadLettered;
    private int ignored;
    private int duplicates;

    public void add(String outcome) {
        events++;
        switch (outcome == null ? "" : outcome) {
            case "stored" -> stored++;
            case "stale" -> stale++;
            case "dead-lettered" -> deadLettered++;
            case "ignored" -> ignored++;
            case "duplicate" -> duplicates++;
            default -> throw new IllegalStateException("an event finished without an outcome (" + outcome + ")");
        }
    }

    public int events() {
        return events;
    }

    public int stored() {
        return stored;
    }

    public int stale() {
        return stale;
    }

    public int deadLettered() {
        return deadLettered;
    }

    public int ignored() {
        return ignored;
    }

    public int duplicates() {
        return duplicates;
    }
}
