package io.tributary.config;

import io.tributary.model.Resource;
import java.util.List;

/**
 * A document that failed its schema, bound without the values the schema refused, so that the checks
 * a schema cannot make (references, deployment modes) still run on the rest of it and one load reports
 * every problem of the document. Never applied.
 *
 * @param resource the record bound from what is left
 * @param removedFields the fields taken out ({@code spec.parallelism}), about which no further error is told
 */
record Salvaged(Resource resource, List<String> removedFields) {
    Salvaged {
        removedFields = List.copyOf(removedFields);
    }

    /** Whether an error at {@code field} is about a removed field, one inside it, or a mapping that held it. */
    boolean touches(String field) {
        return removedFields.stream().anyMatch(removed -> within(field, removed) || within(removed, field));
    }

    private static boolean within(String field, String outer) {
        return field.equals(outer) || outer.isEmpty()
                || field.startsWith(outer) && (field.charAt(outer.length()) == '.' || field.charAt(outer.length()) == '[');
    }
}
