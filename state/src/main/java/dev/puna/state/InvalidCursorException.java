package dev.puna.state;

/** A list cursor ({@code after} or {@code before}) that names no object of the list and no id this store made. */
public final class InvalidCursorException extends StateException {
    private static final long serialVersionUID = 1L;

    private final String parameter;

    public InvalidCursorException(String parameter, String cursor) {
        super("invalid \"" + parameter + "\" cursor '" + cursor + "': no such object in this list");
        this.parameter = parameter;
    }

    /** {@code after} or {@code before}. */
    public String parameter() {
        return parameter;
    }
}
