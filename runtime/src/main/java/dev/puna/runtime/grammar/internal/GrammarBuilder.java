package dev.puna.runtime.grammar.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Collects the rules of one GBNF grammar: unique, parser-legal names derived from hints, identical bodies shared,
 * names reserved ahead of their bodies so recursive schemas can refer to a rule while it is being built.
 *
 * <p>The grammar's start rule is {@code root}. Not thread-safe: one builder per grammar being built.
 */
public final class GrammarBuilder {
    /** Names only {@link #shared} may define, so that schema-derived rules never take them. */
    private static final Set<String> SHARED_PREFIXES = Set.of("ws", "json-", "fmt-");

    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> byBody = new HashMap<>();

    /** A builder whose {@code root} rule is reserved. */
    public GrammarBuilder() {
        rules.put("root", null);
    }

    /** Defines the start rule. */
    public void root(String body) {
        define("root", body);
    }

    /**
     * A new rule for {@code body}, or the existing rule with exactly this body.
     *
     * @param hint what the rule is about (a property name, a $defs name): any text, sanitised into the name
     * @return the rule's name
     */
    public String rule(String hint, String body) {
        String existing = byBody.get(body);
        if (existing != null) {
            return existing;
        }
        String name = reserve(hint);
        define(name, body);
        return name;
    }

    /** Reserves a fresh name derived from {@code hint}, to be {@linkplain #define defined} later. */
    public String reserve(String hint) {
        String base = sanitize(hint);
        String name = base;
        for (int i = 2; rules.containsKey(name); i++) {
            name = base + "-" + i;
        }
        rules.put(name, null);
        return name;
    }

    /** Sets the body of a reserved rule. */
    public void define(String name, String body) {
        if (!rules.containsKey(name) || rules.get(name) != null) {
            throw new IllegalStateException("rule " + name + " is not reserved or already defined");
        }
        rules.put(name, body);
        byBody.putIfAbsent(body, name);
    }

    /** The shared rule {@code name} (e.g. {@code ws}), defined from {@code body} the first time it is asked for. */
    String shared(String name, Supplier<String> body) {
        if (!rules.containsKey(name)) {
            rules.put(name, null);
            define(name, body.get());
        }
        return name;
    }

    /** The grammar text: {@code root} first, one rule per line. */
    public String build() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> rule : rules.entrySet()) {
            if (rule.getValue() == null) {
                throw new IllegalStateException("rule " + rule.getKey() + " was reserved but never defined");
            }
            out.append(rule.getKey()).append(" ::= ").append(rule.getValue()).append('\n');
        }
        return out.toString();
    }

    private static String sanitize(String hint) {
        String name = hint.replaceAll("[^a-zA-Z0-9-]+", "-").replaceAll("-{2,}", "-").replaceAll("^-|-$", "");
        if (name.isEmpty()) {
            name = "r";
        }
        if (name.length() > 60) {
            name = name.substring(0, 60);
        }
        for (String prefix : SHARED_PREFIXES) {
            if (name.startsWith(prefix) || name.equals("root")) {
                return "s-" + name;
            }
        }
        return name;
    }
}
