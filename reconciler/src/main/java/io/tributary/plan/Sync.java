package io.tributary.plan;

/** Whether what runs matches the applied revision. */
public enum Sync {
    SYNCED("Synced"), OUT_OF_SYNC("OutOfSync"), PROGRESSING("Progressing");

    private final String label;

    Sync(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
