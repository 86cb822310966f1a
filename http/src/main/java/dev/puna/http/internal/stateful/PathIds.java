package dev.puna.http.internal.stateful;

import java.util.regex.Pattern;

/**
 * Object ids as clients send them in paths and cursors: letters, digits, {@code _} and {@code -}, at most 64. An
 * id of another shape names no object, so it is answered like an unknown one without reaching the database.
 */
public final class PathIds {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private PathIds() {
    }

    /** Whether {@code id} could be an object id. */
    public static boolean isWellFormed(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
