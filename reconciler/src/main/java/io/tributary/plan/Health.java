package io.tributary.plan;

/** An application's health as users see it (config-format.md, "Status that users see"). */
public enum Health {
    HEALTHY("Healthy"), PROGRESSING("Progressing"), DEGRADED("Degraded"), SUSPENDED("Suspended"),
    MISSING("Missing"), UNKNOWN("Unknown");

    private final String label;

    Health(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Health fromLabel(String label) {
        for (Health h : values()) {
            if (h.label.equals(label)) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown health: " + label);
    }
}
