package dev.puna.runtime.tools;

import dev.puna.runtime.tools.internal.CallIds;
import dev.puna.runtime.tools.internal.CallScan;
import dev.puna.runtime.tools.internal.PartialJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Finds tool calls in a model's output while it streams: fed the text pieces in order ({@link #push}), then told the
 * output ended ({@link #finish}), it returns {@link ToolCallEvent}s as soon as they are certain.
 *
 * <p>Text is released as {@link ToolCallEvent.Content} immediately, except for what might still become a tool call:
 * the end of the text when it could be the beginning of a marker such as {@code <tool_call>} (released as soon as it
 * cannot), whitespace right after a call (dropped if another call or the end follows), and, in formats where a bare
 * JSON object or array at the very start is a call, that JSON until it shows itself as a call (its {@code name} is
 * complete) or not (another key, a name that is not one of the tools, or not JSON: then it is released as content).
 * Inside a call, {@link ToolCallEvent.CallStarted} comes as soon as the name is complete and argument text is
 * released as it arrives.
 *
 * <p>Concatenating the content events gives {@link ParsedOutput#content()}; concatenating a call's argument deltas
 * gives its {@link ParsedToolCall#arguments()}. One stream per generation; not thread-safe.
 */
public final class ToolCallStream {
    private enum Mode { START, CONTENT, AFTER_MARKER, ARRAY_NEXT, CALL, AFTER_CALL, MISTRAL_NAME, ARGUMENTS_ONLY, ENDED }

    /** What holds the calls of the current region: decides what may follow a call. */
    private enum Container { TAGGED, SEQUENCE, ARRAY }

    private static final String CLOSE_TAG = "</tool_call>";
    private static final int MAX_NAME_LENGTH = 256;

    private final ToolCallFormat format;
    private final Set<String> toolNames;
    private final RandomGenerator random;
    private final StringBuilder buf = new StringBuilder();
    private List<ToolCallEvent> out = new ArrayList<>();
    private Mode mode = Mode.START;
    private boolean atEnd;

    /** Text consumed since the current region began, released as content if no call comes of it. */
    private final StringBuilder tentative = new StringBuilder();
    private String marker;
    private Container container;
    /** The current calls were not introduced by a marker: they must look like calls to count. */
    private boolean bare;
    /** Whitespace right after a call is held back. */
    private boolean afterCall;

    private int calls;
    private boolean started;
    private int callIndex;
    private String callId;
    private String callName;
    private final StringBuilder arguments = new StringBuilder();
    /** Characters of the raw arguments value already released (or -1 once a string value was released whole). */
    private int argumentsReleased;

    ToolCallStream(ToolCallFormat format, Set<String> toolNames, RandomGenerator random) {
        this.format = format;
        this.toolNames = toolNames;
        this.random = random;
    }

    /**
     * Feeds the next piece of output.
     *
     * @return the events this piece made certain, in order (possibly none)
     * @throws IllegalStateException after {@link #finish}
     */
    public List<ToolCallEvent> push(String piece) {
        Objects.requireNonNull(piece, "piece");
        if (mode == Mode.ENDED) {
            throw new IllegalStateException("the stream was finished");
        }
        buf.append(piece);
        return run();
    }

    /**
     * Ends the output: releases held-back text and closes a call the output ended inside (as incomplete).
     *
     * @return the last events
     */
    public List<ToolCallEvent> finish() {
        if (mode == Mode.ENDED) {
            return List.of();
        }
        atEnd = true;
        while (step()) {
            // with the end known, every mode either completes or gives up
        }
        if (started) {
            endCall(false);
            buf.setLength(0);
        }
        if (!tentative.isEmpty()) {
            content(tentative.toString());
            tentative.setLength(0);
        }
        if (!buf.isEmpty() && !afterCall) {
            content(buf.toString());
        }
        buf.setLength(0);
        mode = Mode.ENDED;
        List<ToolCallEvent> events = out;
        out = new ArrayList<>();
        return merge(events);
    }

    private List<ToolCallEvent> run() {
        while (step()) {
            // each step consumes text or changes mode
        }
        List<ToolCallEvent> events = out;
        out = new ArrayList<>();
        return merge(events);
    }

    /** Joins adjacent content events, so a piece yields at most one content event per stretch of text. */
    private static List<ToolCallEvent> merge(List<ToolCallEvent> events) {
        List<ToolCallEvent> merged = new ArrayList<>(events.size());
        for (ToolCallEvent e : events) {
            if (e instanceof ToolCallEvent.Content c && !merged.isEmpty()
                    && merged.get(merged.size() - 1) instanceof ToolCallEvent.Content previous) {
                merged.set(merged.size() - 1, new ToolCallEvent.Content(previous.text() + c.text()));
            } else {
                merged.add(e);
            }
        }
        return merged;
    }

    private boolean step() {
        return switch (mode) {
            case START -> start();
            case CONTENT -> content();
            case AFTER_MARKER -> afterMarker();
            case ARRAY_NEXT -> arrayNext();
            case CALL -> call();
            case AFTER_CALL -> afterCall();
            case MISTRAL_NAME -> mistralName();
            case ARGUMENTS_ONLY -> argumentsOnly();
            case ENDED -> false;
        };
    }

    // ---- modes

    private boolean start() {
        int i = PartialJson.skipWhitespace(buf, 0);
        if (i == buf.length()) {
            if (atEnd) {
                mode = Mode.CONTENT;
                return true;
            }
            return false;
        }
        char c = buf.charAt(i);
        if (c == '{' && allowsBareObject()) {
            beginRegion(i, Container.SEQUENCE, true);
            mode = Mode.CALL;
            return true;
        }
        if (c == '[' && allowsBareArray()) {
            int j = PartialJson.skipWhitespace(buf, i + 1);
            if (j == buf.length() && !atEnd) {
                return false;
            }
            if (j < buf.length() && buf.charAt(j) == '{') {
                beginRegion(j, Container.ARRAY, true);
                mode = Mode.CALL;
                return true;
            }
        }
        mode = Mode.CONTENT;
        return true;
    }

    private boolean allowsBareObject() {
        return switch (format) {
            case GENERIC, LLAMA3 -> true;
            case HERMES -> !toolNames.isEmpty();
            case MISTRAL -> false;
        };
    }

    private boolean allowsBareArray() {
        return format == ToolCallFormat.GENERIC || format == ToolCallFormat.MISTRAL;
    }

    /** Moves {@code buf[0, length)} into {@link #tentative}: the start of a region that may hold calls. */
    private void beginRegion(int length, Container container, boolean bare) {
        tentative.append(buf, 0, length);
        buf.delete(0, length);
        this.container = container;
        this.bare = bare;
    }

    private boolean content() {
        if (afterCall) {
            int i = PartialJson.skipWhitespace(buf, 0);
            String rest = buf.substring(i);
            if (rest.isEmpty()) {
                if (atEnd && !buf.isEmpty()) {
                    buf.setLength(0);
                    return true;
                }
                return false;
            }
            if (format.markers().stream().anyMatch(rest::startsWith)) {
                buf.delete(0, i);
                afterCall = false;
            } else if (!atEnd && format.markers().stream().anyMatch(m -> m.startsWith(rest))) {
                return false;
            } else {
                afterCall = false;
            }
        }
        int at = -1;
        String found = null;
        for (String m : format.markers()) {
            int k = buf.indexOf(m);
            if (k >= 0 && (at < 0 || k < at)) {
                at = k;
                found = m;
            }
        }
        if (found != null) {
            content(buf.substring(0, at));
            buf.delete(0, at + found.length());
            tentative.append(found);
            marker = found;
            mode = Mode.AFTER_MARKER;
            return true;
        }
        int release = buf.length() - (atEnd ? 0 : heldMarkerPrefix());
        if (release > 0) {
            content(buf.substring(0, release));
            buf.delete(0, release);
            return true;
        }
        return false;
    }

    /** The length of the longest end of {@link #buf} that begins a marker. */
    private int heldMarkerPrefix() {
        int best = 0;
        for (String m : format.markers()) {
            for (int n = Math.min(m.length() - 1, buf.length()); n > best; n--) {
                if (buf.substring(buf.length() - n).equals(m.substring(0, n))) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }

    private boolean afterMarker() {
        int i = PartialJson.skipWhitespace(buf, 0);
        if (i == buf.length()) {
            if (atEnd) {
                return fail();
            }
            return false;
        }
        char c = buf.charAt(i);
        switch (marker) {
            case "<tool_call>", "<|python_tag|>" -> {
                if (c != '{') {
                    return fail();
                }
                beginRegion(i, marker.equals("<tool_call>") ? Container.TAGGED : Container.SEQUENCE, false);
                mode = Mode.CALL;
            }
            default -> { // [TOOL_CALLS]
                if (c == '[') {
                    beginRegion(i + 1, Container.ARRAY, false);
                    mode = Mode.ARRAY_NEXT;
                } else {
                    beginRegion(i, Container.SEQUENCE, false);
                    mode = Mode.MISTRAL_NAME;
                }
            }
        }
        return true;
    }

    private boolean arrayNext() {
        int i = PartialJson.skipWhitespace(buf, 0);
        if (i == buf.length()) {
            return atEnd && fail();
        }
        char c = buf.charAt(i);
        if (c == '{') {
            tentative.append(buf, 0, i);
            buf.delete(0, i);
            mode = Mode.CALL;
            return true;
        }
        if (c == ']') {
            buf.delete(0, i + 1);
            tentative.setLength(0);
            mode = Mode.CONTENT;
            afterCall = true;
            return true;
        }
        return fail();
    }

    private boolean call() {
        CallScan scan = CallScan.scan(buf, 0, atEnd);
        if (!started) {
            if (bare && scan.unknownKey()) {
                return fail();
            }
            if (scan.name() != null) {
                if (bare && !toolNames.isEmpty() && !toolNames.contains(scan.name())) {
                    return fail();
                }
                startCall(scan.name());
            }
        }
        if (started) {
            releaseArguments(scan);
        }
        switch (scan.status()) {
            case INCOMPLETE -> {
                return !started && atEnd && fail();
            }
            case INVALID -> {
                if (!started) {
                    return fail();
                }
                endCall(false);
                buf.delete(0, Math.max(scan.end(), releasedUpTo(scan)));
                mode = Mode.CONTENT;
                return true;
            }
            default -> { // COMPLETE
                if (!started) {
                    return fail(); // an object without a name is not a call
                }
                if (scan.argumentsStart() < 0) {
                    arguments("{}");
                }
                endCall(true);
                buf.delete(0, scan.end());
                mode = Mode.AFTER_CALL;
                return true;
            }
        }
    }

    private int releasedUpTo(CallScan scan) {
        return scan.argumentsStart() < 0 || argumentsReleased < 0 ? 0 : scan.argumentsStart() + argumentsReleased;
    }

    private void releaseArguments(CallScan scan) {
        int from = scan.argumentsStart();
        if (from < 0 || argumentsReleased < 0) {
            return;
        }
        if (scan.argumentsIsString()) {
            if (scan.argumentsEnd() >= 0) {
                String text = PartialJson.decodeString(buf.subSequence(from, scan.argumentsEnd()));
                arguments(text == null ? "" : text);
                argumentsReleased = -1;
            }
            return;
        }
        int available = scan.argumentsEnd() >= 0 ? scan.argumentsEnd() : buf.length();
        if (available > from + argumentsReleased) {
            arguments(buf.substring(from + argumentsReleased, available));
            argumentsReleased = available - from;
        }
    }

    private boolean afterCall() {
        int i = PartialJson.skipWhitespace(buf, 0);
        String rest = buf.substring(i);
        switch (container) {
            case TAGGED -> {
                if (rest.startsWith(CLOSE_TAG)) {
                    buf.delete(0, i + CLOSE_TAG.length());
                } else if (CLOSE_TAG.startsWith(rest) && !atEnd) {
                    return false;
                }
                toContentAfterCall();
            }
            case ARRAY -> {
                if (rest.isEmpty() && !atEnd) {
                    return false;
                }
                if (rest.startsWith(",")) {
                    buf.delete(0, i + 1);
                    mode = Mode.ARRAY_NEXT;
                    return true;
                }
                if (rest.startsWith("]")) {
                    buf.delete(0, i + 1);
                }
                toContentAfterCall();
            }
            default -> { // SEQUENCE: calls separated by ';' or whitespace
                int j = rest.startsWith(";") ? PartialJson.skipWhitespace(buf, i + 1) : i;
                if (j == buf.length() && !atEnd) {
                    return false;
                }
                if (j < buf.length() && buf.charAt(j) == '{') {
                    buf.delete(0, j);
                    mode = Mode.CALL;
                    return true;
                }
                toContentAfterCall();
            }
        }
        return true;
    }

    private void toContentAfterCall() {
        mode = Mode.CONTENT;
        afterCall = true;
    }

    private boolean mistralName() {
        int args = buf.indexOf("[ARGS]");
        if (args < 0) {
            if (atEnd || buf.length() > 2 * MAX_NAME_LENGTH) {
                return fail();
            }
            return false;
        }
        int id = buf.indexOf("[CALL_ID]");
        int nameEnd = id >= 0 && id < args ? id : args;
        String name = buf.substring(0, nameEnd).trim();
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.matches("[^\\s\"{}\\[\\]]+")) {
            return fail();
        }
        startCall(name);
        buf.delete(0, args + "[ARGS]".length());
        mode = Mode.ARGUMENTS_ONLY;
        return true;
    }

    private boolean argumentsOnly() {
        if (argumentsReleased == 0) {
            int i = PartialJson.skipWhitespace(buf, 0);
            buf.delete(0, i);
        }
        if (buf.isEmpty()) {
            if (atEnd) {
                endCall(false);
                mode = Mode.CONTENT;
                return true;
            }
            return false;
        }
        int end = PartialJson.scanValue(buf, 0, atEnd);
        if (end == PartialJson.INVALID) {
            endCall(false);
            buf.delete(0, argumentsReleased);
            mode = Mode.CONTENT;
            return true;
        }
        int available = end >= 0 ? end : buf.length();
        if (available > argumentsReleased) {
            arguments(buf.substring(argumentsReleased, available));
            argumentsReleased = available;
        }
        if (end >= 0) {
            endCall(true);
            buf.delete(0, end);
            toContentAfterCall();
            return true;
        }
        return false;
    }

    // ---- events

    /** The region held no call after all: release what it consumed as content and go on scanning. */
    private boolean fail() {
        content(tentative.toString());
        tentative.setLength(0);
        mode = Mode.CONTENT;
        return true;
    }

    private void startCall(String name) {
        started = true;
        callIndex = calls++;
        callId = CallIds.next(format, random);
        callName = name;
        arguments.setLength(0);
        argumentsReleased = 0;
        tentative.setLength(0);
        out.add(new ToolCallEvent.CallStarted(callIndex, callId, callName));
    }

    private void arguments(String text) {
        if (!text.isEmpty()) {
            arguments.append(text);
            out.add(new ToolCallEvent.ArgumentsDelta(callIndex, text));
        }
    }

    private void endCall(boolean complete) {
        started = false;
        out.add(new ToolCallEvent.CallEnded(
                new ParsedToolCall(callIndex, callId, callName, arguments.toString(), complete)));
    }

    private void content(String text) {
        if (!text.isEmpty()) {
            out.add(new ToolCallEvent.Content(text));
        }
    }
}
