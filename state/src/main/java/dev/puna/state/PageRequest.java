package dev.puna.state;

/**
 * What one page of a list asks for, as OpenAI's list endpoints take it: at most {@code limit} objects in creation
 * order ({@code ascending}) or newest first, strictly after the object {@code after} and/or strictly before the
 * object {@code before} in that order. A cursor is an object id; one that names no stored object still works when it
 * is an id this store made (its creation time is in it).
 *
 * @param limit how many objects at most (the caller checks OpenAI's 1..100)
 * @param ascending {@code order=asc}
 * @param after the cursor to start after, or {@code null}
 * @param before the cursor to stop before, or {@code null}
 */
public record PageRequest(int limit, boolean ascending, String after, String before) {
    public PageRequest {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
    }
}
