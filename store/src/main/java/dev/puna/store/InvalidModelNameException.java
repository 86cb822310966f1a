package dev.puna.store;

/** A model name does not follow Ollama's grammar ({@code [host/][namespace/]model[:tag]}); HTTP 400. */
public final class InvalidModelNameException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String name;

    /**
     * @param name the rejected name, as given
     * @param reason which part breaks the grammar, and how
     */
    public InvalidModelNameException(String name, String reason) {
        super("invalid model name '%s': %s".formatted(printable(name), reason));
        this.name = name;
    }

    /** The rejected name, as given. */
    public String name() {
        return name;
    }

    @Override
    public int httpStatus() {
        return 400;
    }

    /** Escapes control characters so that a hostile name cannot forge log lines or error bodies. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 400 ? s.substring(0, 400) + "..." : s;
        StringBuilder out = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append("\\u%04x".formatted((int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
