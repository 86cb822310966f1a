package dev.puna.runtime.tools.internal;

import java.util.Set;

/**
 * What is known so far about a tool-call object {@code {"name": ..., "arguments": ...}} at the start of a growing
 * text. Recognised keys: {@code name} (a string), {@code arguments} or {@code parameters} (any JSON value), and
 * {@code function} holding a nested call object (OpenAI's shape); {@code id} and {@code type} are skipped. Other keys
 * are skipped too, and reported ({@link #unknownKey}), so that a bare JSON answer is not mistaken for a call.
 *
 * @param status how far the object got
 * @param end for {@link Status#COMPLETE}: the index just after the closing brace; for {@link Status#INVALID}: where
 *     the text stopped making sense
 * @param name the function name, once its string is complete; else {@code null}
 * @param argumentsStart the index where the arguments value starts, or -1 if not reached
 * @param argumentsEnd the index just after the arguments value, or -1 if not complete
 * @param argumentsIsString whether the arguments value is a JSON string (whose content is the arguments text)
 * @param unknownKey whether a key other than the recognised ones appeared
 */
public record CallScan(Status status, int end, String name, int argumentsStart, int argumentsEnd,
                       boolean argumentsIsString, boolean unknownKey) {
    /** How far a call object got. */
    public enum Status {
        /** The text ends inside the object. */
        INCOMPLETE,
        /** The object closed. */
        COMPLETE,
        /** The text is not a call object. */
        INVALID
    }

    private static final Set<String> KNOWN = Set.of("name", "arguments", "parameters", "function", "id", "type");

    /**
     * Scans the object whose opening brace is at {@code start}.
     *
     * @param atEnd the text will not grow
     */
    public static CallScan scan(CharSequence s, int start, boolean atEnd) {
        Builder b = new Builder();
        int i = start + 1;
        while (true) {
            i = PartialJson.skipWhitespace(s, i);
            if (i >= s.length()) {
                return b.done(Status.INCOMPLETE, i);
            }
            char c = s.charAt(i);
            if (c == '}') {
                return b.done(Status.COMPLETE, i + 1);
            }
            if (c != '"') {
                return b.done(Status.INVALID, i);
            }
            int keyEnd = PartialJson.scanString(s, i);
            if (keyEnd < 0) {
                return b.done(Status.INCOMPLETE, i);
            }
            String key = PartialJson.decodeString(s.subSequence(i, keyEnd));
            if (key == null) {
                return b.done(Status.INVALID, i);
            }
            b.unknownKey |= !KNOWN.contains(key);
            i = PartialJson.skipWhitespace(s, keyEnd);
            if (i >= s.length()) {
                return b.done(Status.INCOMPLETE, i);
            }
            if (s.charAt(i) != ':') {
                return b.done(Status.INVALID, i);
            }
            i = PartialJson.skipWhitespace(s, i + 1);
            if (i >= s.length()) {
                return b.done(Status.INCOMPLETE, i);
            }
            boolean isArguments = key.equals("arguments") || key.equals("parameters");
            if (isArguments && b.argumentsStart < 0) {
                b.argumentsStart = i;
                b.argumentsIsString = s.charAt(i) == '"';
            }
            int valueEnd;
            if (key.equals("function") && s.charAt(i) == '{') {
                CallScan nested = scan(s, i, atEnd);
                b.takeFrom(nested);
                if (nested.status != Status.COMPLETE) {
                    return b.done(nested.status, nested.end);
                }
                valueEnd = nested.end;
            } else {
                valueEnd = PartialJson.scanValue(s, i, atEnd);
            }
            if (valueEnd == PartialJson.INVALID) {
                return b.done(Status.INVALID, i);
            }
            if (valueEnd == PartialJson.INCOMPLETE) {
                return b.done(Status.INCOMPLETE, i);
            }
            if (key.equals("name")) {
                b.name = s.charAt(i) == '"' ? PartialJson.decodeString(s.subSequence(i, valueEnd)) : null;
                if (b.name == null) {
                    return b.done(Status.INVALID, i);
                }
            }
            if (isArguments && b.argumentsStart == i) {
                b.argumentsEnd = valueEnd;
            }
            i = PartialJson.skipWhitespace(s, valueEnd);
            if (i >= s.length()) {
                return b.done(Status.INCOMPLETE, i);
            }
            if (s.charAt(i) == ',') {
                i++;
            } else if (s.charAt(i) == '}') {
                return b.done(Status.COMPLETE, i + 1);
            } else {
                return b.done(Status.INVALID, i);
            }
        }
    }

    private static final class Builder {
        String name;
        int argumentsStart = -1;
        int argumentsEnd = -1;
        boolean argumentsIsString;
        boolean unknownKey;

        void takeFrom(CallScan nested) {
            if (name == null) {
                name = nested.name;
            }
            if (argumentsStart < 0) {
                argumentsStart = nested.argumentsStart;
                argumentsEnd = nested.argumentsEnd;
                argumentsIsString = nested.argumentsIsString;
            }
            unknownKey |= nested.unknownKey;
        }

        CallScan done(Status status, int end) {
            return new CallScan(status, end, name, argumentsStart, argumentsEnd, argumentsIsString, unknownKey);
        }
    }
}
