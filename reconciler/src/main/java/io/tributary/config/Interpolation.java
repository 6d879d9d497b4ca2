package io.tributary.config;

import io.tributary.model.Variable;
import java.util.Collection;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${name}} substitution. Plain variables are replaced by their value; secret variables are
 * left as {@code ${name}} so the secret is read only where it is used, never stored; {@code $${x}}
 * is the literal {@code ${x}}.
 */
final class Interpolation {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$\\{|\\$\\{([^}\\n]*)}");
    static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Reports a problem at an offset of the text being substituted. */
    interface Problems {
        void at(int offset, String message);
    }

    private final Function<String, Variable> lookup;
    /** Only an unknown variable's message needs them; listing them for every document made a load quadratic. */
    private final Supplier<Collection<String>> visibleNames;

    /** What an unknown name's message ends with while a file of the repository does not parse (see {@link Index#unparsedNote}). */
    private final String unparsedNote;

    /** @param lookup the variable a name means where the text is written (team first, then platform), or null */
    Interpolation(Function<String, Variable> lookup, Supplier<Collection<String>> visibleNames, String unparsedNote) {
        this.lookup = lookup;
        this.visibleNames = visibleNames;
        this.unparsedNote = unparsedNote;
    }

    static boolean mayContainReference(String text) {
        return text.indexOf("${") >= 0;
    }

    String substitute(String text, Problems problems) {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        while (m.find()) {
            out.append(text, copied, m.start());
            copied = m.end();
            if (m.group(1) == null) {
                out.append("${"); // $${ is an escaped, literal ${
                continue;
            }
            String name = m.group(1).strip();
            if (!NAME.matcher(name).matches()) {
                problems.at(m.start(), "\"" + m.group() + "\" is not a variable reference: a name has letters, digits"
                        + " and _ and does not start with a digit; write $${...} for a literal ${...}");
                out.append(m.group());
                continue;
            }
            Variable variable = lookup.apply(name);
            if (variable == null) {
                problems.at(m.start(), unknown(name));
                out.append(m.group());
            } else if (variable.isSecret()) {
                out.append("${").append(name).append('}');
            } else {
                out.append(variable.spec().value());
            }
        }
        out.append(text, copied, text.length());
        return out.toString();
    }

    /**
     * A credential field written as {@code "${name}"} must name a secret Variable; the text itself
     * stays as written. Other forms are left to the schema, which words them.
     */
    void checkCredential(String text, Problems problems) {
        Matcher m = REFERENCE.matcher(text.strip());
        if (!m.matches() || m.group(1) == null || !NAME.matcher(m.group(1)).matches()) {
            return;
        }
        Variable variable = lookup.apply(m.group(1));
        if (variable == null) {
            problems.at(0, unknown(m.group(1)));
        } else if (!variable.isSecret()) {
            problems.at(0, "variable \"" + m.group(1) + "\" is not a secret; a credential must come from a secret"
                    + " Variable (spec.secret) or {secret: {env: NAME}}");
        }
    }

    private String unknown(String name) {
        String hint = Suggestions.hint(name, visibleNames.get());
        return "unknown variable \"" + name + "\"" + hint + (!unparsedNote.isEmpty() ? unparsedNote
                : hint.isEmpty() ? "; declare a Variable of that name in the team or platform-wide" : "");
    }
}
