package io.tributary.config;

import io.tributary.model.Kind;
import io.tributary.model.Resource;
import io.tributary.model.ResourceId;

/** A document on its way through loading: where it is, what it claims to be, and how far it got. */
final class Entry {
    final SourceDocument doc;
    final Kind kind;
    final ResourceId id;
    /** False once the document failed its schema or was a duplicate: others must not cascade errors from it. */
    boolean usable = true;
    /**
     * Its team is missing or unknown: without a scope its variables and references cannot be
     * resolved, so only its own schema is checked.
     */
    boolean orphan;
    /** The bound record, once the document passed its schema. */
    Resource resource;
    /** When it failed its schema: the rest of it, checked for references and modes but never applied. */
    Salvaged salvaged;

    Entry(SourceDocument doc, Kind kind, ResourceId id) {
        this.doc = doc;
        this.kind = kind;
        this.id = id;
    }

    ConfigError error(String pointer, String message) {
        return doc.error(pointer, message);
    }

    ConfigError errorAtKey(String pointer, String message) {
        return doc.errorAtKey(pointer, message);
    }

    String team() {
        return id.team();
    }
}
