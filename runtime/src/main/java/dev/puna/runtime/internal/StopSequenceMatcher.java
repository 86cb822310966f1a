package dev.puna.runtime.internal;

import dev.puna.runtime.InvalidParameterException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds stop strings in streamed text without ever showing a client part of one. Text arrives in pieces (one per
 * token), and a stop string may span several pieces; so text that could still turn out to be the beginning of a
 * stop string is held back until the following text decides it either way.
 *
 * <p>Semantics, independent of how the text is split into pieces: generation stops at the first position where
 * some stop string <em>ends</em>, which is where a token-by-token reader would notice it; if several stop strings
 * end there, the longest one (starting earliest) wins, so the least text is emitted. The emitted text is then
 * exactly the text before that stop string, and everything after it is discarded.
 *
 * <p>Held-back text is always shorter than the longest stop string, so memory and the work per
 * {@link #push(String)} stay bounded by the piece size and the stop strings, however long the generation runs.
 *
 * <p>Not thread-safe: one instance belongs to one generation.
 */
public final class StopSequenceMatcher {

    /**
     * What {@link #push(String)} decided.
     *
     * @param text the text safe to send to the client now, possibly empty
     * @param stopped whether a stop string was found; if so, {@code text} ends right before it, and the
     *     generation should end
     */
    public record Result(String text, boolean stopped) {
        /** Checks that {@code text} is present. */
        public Result {
            Objects.requireNonNull(text, "text");
        }
    }

    private static final Result NOTHING = new Result("", false);

    private final String[] stops;
    private final int maxStopLength;
    /** Emitted-not-yet text that is a proper prefix of some stop string; always shorter than the longest one. */
    private String held = "";
    private String matchedStop;

    /**
     * Creates a matcher for the given stop strings (Ollama's {@code stop} option).
     *
     * @param stops the stop strings; may be empty (then nothing is held back); duplicates are harmless
     * @throws InvalidParameterException ({@code stop}) if a stop string is null or empty, since an empty stop
     *     string would match before any output
     */
    public StopSequenceMatcher(List<String> stops) {
        Objects.requireNonNull(stops, "stops");
        this.stops = new String[stops.size()];
        int max = 0;
        for (int i = 0; i < this.stops.length; i++) {
            String stop = stops.get(i);
            InvalidParameterException.require(stop != null, "stop", "stop strings must not be null");
            InvalidParameterException.require(!stop.isEmpty(), "stop", "stop strings must not be empty");
            this.stops[i] = stop;
            max = Math.max(max, stop.length());
        }
        this.maxStopLength = max;
    }

    /**
     * Adds the next piece of generated text.
     *
     * @param text the new text
     * @return the text that can be emitted now and whether a stop string was reached
     * @throws IllegalStateException if a stop string was already reached: the generation should have ended
     */
    public Result push(String text) {
        Objects.requireNonNull(text, "text");
        if (matchedStop != null) {
            throw new IllegalStateException("stop string already reached: " + matchedStop);
        }
        if (stops.length == 0) {
            return text.isEmpty() ? NOTHING : new Result(text, false);
        }
        String buffer = held.concat(text);

        // The held text contains no complete stop string (it would have matched in an earlier push), so any match
        // found here ends in the new text; comparing end positions keeps the result independent of the splits.
        int bestStart = -1;
        int bestEnd = Integer.MAX_VALUE;
        String best = null;
        for (String stop : stops) {
            int start = buffer.indexOf(stop);
            if (start < 0) {
                continue;
            }
            int end = start + stop.length();
            if (end < bestEnd || (end == bestEnd && start < bestStart)) {
                bestStart = start;
                bestEnd = end;
                best = stop;
            }
        }
        if (best != null) {
            matchedStop = best;
            held = "";
            return new Result(buffer.substring(0, bestStart), true);
        }

        int cut = holdBackStart(buffer);
        held = buffer.substring(cut);
        return cut == 0 ? NOTHING : new Result(buffer.substring(0, cut), false);
    }

    /**
     * Ends the stream when generation stopped for another reason (end of generation token, length limit,
     * cancellation): returns the held-back text, which can no longer become a stop string. Returns the empty
     * string after a stop string was reached, since the text after it is discarded.
     */
    public String flush() {
        String rest = held;
        held = "";
        return rest;
    }

    /** The stop string that ended the generation, or empty while none has been reached. */
    public Optional<String> matchedStop() {
        return Optional.ofNullable(matchedStop);
    }

    /**
     * The start of the longest suffix of {@code buffer} that is a proper prefix of some stop string, or
     * {@code buffer.length()} if there is none. Only the last {@code maxStopLength - 1} characters can qualify.
     */
    private int holdBackStart(String buffer) {
        int length = buffer.length();
        for (int start = Math.max(0, length - (maxStopLength - 1)); start < length; start++) {
            int suffixLength = length - start;
            for (String stop : stops) {
                if (stop.length() > suffixLength && stop.regionMatches(0, buffer, start, suffixLength)) {
                    return start;
                }
            }
        }
        return length;
    }
}
