package dev.puna.store;

import dev.puna.store.internal.Parameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A Modelfile, Ollama's recipe for a model, parsed by Ollama's rules ({@code parser/parser.go}):
 * <ul>
 *   <li>commands {@code FROM} (required), {@code PARAMETER}, {@code TEMPLATE}, {@code SYSTEM}, {@code ADAPTER},
 *       {@code LICENSE}, {@code MESSAGE}, case-insensitive, one per line, then whitespace and a value;
 *   <li>{@code #} starts a comment line;
 *   <li>values may be quoted with {@code "} or {@code """}; a quoted value may span lines (the value ends at the
 *       first line end where the quotes close);
 *   <li>{@code PARAMETER name value} with Ollama's parameter names and types; repeated {@code stop} lines
 *       accumulate; unknown names are errors;
 *   <li>{@code MESSAGE role text} with role {@code system}, {@code user} or {@code assistant};
 *   <li>a second {@code FROM} naming a file adds it next to the first: that is how a model and its image projector
 *       ({@code general.architecture = clip}) are given, and the server tells the two apart by their content.
 * </ul>
 * Errors are {@link ModelfileException}s naming the line. {@link #render()} writes a Modelfile back (what
 * {@code /api/show} returns), and {@link #toCreateRequest} turns one into a {@link CreateRequest}. Immutable.
 */
public final class Modelfile {

    /** A Modelfile command. */
    public enum Keyword {
        /** The base: a model name or a GGUF file path. */
        FROM,
        /** A model parameter. */
        PARAMETER,
        /** The prompt template. */
        TEMPLATE,
        /** The system prompt. */
        SYSTEM,
        /** A LoRA adapter file. */
        ADAPTER,
        /** A license text. */
        LICENSE,
        /** A message of the conversation to start from. */
        MESSAGE
    }

    /**
     * One command.
     *
     * @param keyword the command
     * @param name the parameter name ({@code PARAMETER}) or the role ({@code MESSAGE}); null otherwise
     * @param value the value, unquoted
     * @param line the 1-based line the command starts on (0 for commands not parsed from text)
     */
    public record Command(Keyword keyword, String name, String value, int line) {

        /** Validates the components. */
        public Command {
            Objects.requireNonNull(keyword, "keyword");
            Objects.requireNonNull(value, "value");
            if ((keyword == Keyword.PARAMETER || keyword == Keyword.MESSAGE) != (name != null)) {
                throw new IllegalArgumentException(keyword + (name == null ? " needs a name" : " takes no name"));
            }
        }

        /** A command with no line number. */
        public static Command of(Keyword keyword, String name, String value) {
            return new Command(keyword, name, value, 0);
        }

        /** The command as a Modelfile line (values quoted where needed). */
        public String render() {
            return switch (keyword) {
                case FROM -> "FROM " + value;
                case PARAMETER -> "PARAMETER " + name + " " + quote(value);
                case MESSAGE -> "MESSAGE " + name + " " + quote(value);
                default -> keyword.name() + " " + quote(value);
            };
        }
    }

    /** Turns a local file named by {@code FROM} or {@code ADAPTER} into a blob the store has (uploads it). */
    @FunctionalInterface
    public interface BlobUploader {
        /** Uploads {@code file} (or finds it already uploaded) and returns its digest. */
        Digest upload(Path file) throws IOException;
    }

    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    private final List<Command> commands;

    private Modelfile(List<Command> commands) {
        this.commands = List.copyOf(commands);
    }

    /** A Modelfile of these commands (e.g. to render). */
    public static Modelfile of(List<Command> commands) {
        return new Modelfile(commands);
    }

    /**
     * Parses a Modelfile.
     *
     * @throws ModelfileException for the first problem, with its line
     */
    public static Modelfile parse(String text) {
        return new Parser(text).parse();
    }

    /** The commands in file order. */
    public List<Command> commands() {
        return commands;
    }

    /** The last {@code FROM} value. */
    public String from() {
        String from = null;
        for (Command c : commands) {
            if (c.keyword() == Keyword.FROM) {
                from = c.value();
            }
        }
        return from;
    }

    /** The Modelfile's text: one line per command (multi-line values quoted), each ending in a newline. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        for (Command c : commands) {
            sb.append(c.render()).append('\n');
        }
        return sb.toString();
    }

    /**
     * The create request this Modelfile describes, as {@code puna create -f} sends it. A {@code FROM} naming an
     * existing file (absolute, {@code ~/...}, or relative to {@code baseDir}) is uploaded through
     * {@code uploader} and becomes a {@code files} entry; any other {@code FROM} is a model name. {@code ADAPTER}
     * files are uploaded likewise. Parameters are typed and {@code stop} values accumulate; licenses and messages
     * keep their order.
     *
     * @param model the name of the model to create
     * @param baseDir the directory relative paths are resolved against (the Modelfile's directory)
     * @throws ModelfileException if a path-like {@code FROM} or an {@code ADAPTER} file does not exist
     * @throws IOException if uploading fails
     */
    public CreateRequest toCreateRequest(String model, Path baseDir, BlobUploader uploader) throws IOException {
        return build(model, (c, adapter) -> {
            Path path = expand(c.value(), baseDir);
            if (adapter) {
                if (path == null || !Files.isRegularFile(path)) {
                    throw new ModelfileException(c.line(), "ADAPTER file not found: " + c.value());
                }
            } else if (path == null || !Files.isRegularFile(path)) {
                if (looksLikePath(c.value())) {
                    throw new ModelfileException(c.line(), "FROM file not found: " + path);
                }
                return null;
            }
            return new Blob(path.getFileName().toString(), uploader.upload(path));
        });
    }

    /**
     * The create request of a Modelfile a client sent as text: the legacy {@code modelfile} field of
     * {@code /api/create}, as Ollama's older clients send it. The server never opens a path a client names, so
     * {@code FROM} takes a model name or a blob the client uploaded ({@code POST /api/blobs}), written
     * {@code @sha256:<hex>} as Ollama's older CLI rewrote local files; {@code ADAPTER} takes such a blob only.
     *
     * @param model the name of the model to create
     * @throws ModelfileException naming the line of a path, a malformed blob reference or a bad parameter
     */
    public CreateRequest toCreateRequest(String model) {
        try {
            return build(model, (c, adapter) -> {
                String v = c.value();
                if (v.startsWith("@")) {
                    Digest digest;
                    try {
                        digest = Digest.parse(v.substring(1));
                    } catch (InvalidDigestException e) {
                        throw new ModelfileException(c.line(), c.keyword() + " " + v + ": " + e.getMessage());
                    }
                    return new Blob(adapter ? "adapter.gguf" : "model.gguf", digest);
                }
                if (adapter || looksLikePath(v)) {
                    throw new ModelfileException(c.line(), c.keyword() + " " + v + ": the server does not read "
                            + "files a client names; upload the file (POST /api/blobs/sha256:<hex>) and write "
                            + c.keyword() + " @sha256:<hex>, or send it in '" + (adapter ? "adapters" : "files")
                            + "'");
                }
                return null;
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // no uploads here: cannot happen
        }
    }

    /** A file named by FROM or ADAPTER, as a blob. */
    private record Blob(String fileName, Digest digest) {
    }

    /** Maps a FROM (adapter false) or ADAPTER command to a blob; null: FROM names a model. */
    @FunctionalInterface
    private interface BlobResolver {
        Blob resolve(Command c, boolean adapter) throws IOException;
    }

    private CreateRequest build(String model, BlobResolver blobs) throws IOException {
        CreateRequest.Builder b = CreateRequest.builder(model);
        Set<String> fileNames = new java.util.HashSet<>();
        Map<String, Object> params = new LinkedHashMap<>();
        for (Command c : commands) {
            switch (c.keyword()) {
                case FROM -> {
                    Blob blob = blobs.resolve(c, false);
                    if (blob != null) {
                        // A model and its projector are two FROM lines; the server tells them apart by content.
                        b.file(uniqueName(fileNames, blob.fileName()), blob.digest());
                    } else {
                        b.from(c.value());
                    }
                }
                case ADAPTER -> {
                    Blob blob = blobs.resolve(c, true);
                    b.adapter(blob.fileName(), blob.digest());
                }
                case TEMPLATE -> b.template(c.value());
                case SYSTEM -> b.system(c.value());
                case LICENSE -> b.license(c.value());
                case MESSAGE -> b.message(c.name(), c.value());
                case PARAMETER -> addParameter(params, c);
            }
        }
        return b.parameters(params).build();
    }

    /** {@code name}, or {@code name-2.gguf}, {@code name-3.gguf}, ... when an earlier FROM took it. */
    private static String uniqueName(Set<String> taken, String name) {
        String unique = name;
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        for (int n = 2; !taken.add(unique); n++) {
            unique = stem + "-" + n + ext;
        }
        return unique;
    }

    private static void addParameter(Map<String, Object> params, Command c) {
        Object value;
        try {
            value = Parameters.parse(c.name(), c.value());
        } catch (InvalidRequestException e) {
            throw new ModelfileException(c.line(), e.getMessage());
        }
        if (value instanceof List<?> list && params.get(c.name()) instanceof List<?> existing) {
            List<Object> joined = new ArrayList<>(existing);
            joined.addAll(list);
            params.put(c.name(), List.copyOf(joined));
        } else if (value != null) {
            params.put(c.name(), value);
        }
    }

    private static boolean looksLikePath(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        return v.startsWith("/") || v.startsWith("./") || v.startsWith("../") || v.startsWith("~")
                || v.startsWith("\\") || v.endsWith(".gguf") || v.endsWith(".bin") || v.contains("\\");
    }

    private static Path expand(String value, Path baseDir) {
        try {
            if (value.equals("~") || value.startsWith("~/")) {
                return Path.of(System.getProperty("user.home"), value.length() > 2 ? value.substring(2) : "")
                        .toAbsolutePath().normalize();
            }
            Path p = Path.of(value);
            return (p.isAbsolute() ? p : baseDir.resolve(p)).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /**
     * Quotes a value for a Modelfile when it must be: values spanning lines, with leading or trailing whitespace, or
     * starting with a quote get {@code "..."} (or {@code """..."""} when they contain a quote), as Ollama renders
     * them; other values are written as they are.
     */
    static String quote(String s) {
        boolean needs = s.contains("\n") || s.contains("\r") || s.startsWith(" ") || s.endsWith(" ")
                || s.startsWith("\t") || s.endsWith("\t") || s.startsWith("\"");
        if (!needs) {
            return s;
        }
        return s.contains("\"") ? "\"\"\"" + s + "\"\"\"" : "\"" + s + "\"";
    }

    /** The parser; one use. */
    private static final class Parser {
        private final String text;
        private int pos;
        private int line = 1;
        private final List<Command> out = new ArrayList<>();

        Parser(String text) {
            String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
            this.text = t.replace("\r\n", "\n").replace('\r', '\n');
        }

        Modelfile parse() {
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '\n') {
                    line++;
                    pos++;
                } else if (c == ' ' || c == '\t') {
                    pos++;
                } else if (c == '#') {
                    skipLine();
                } else {
                    command();
                }
            }
            if (out.stream().noneMatch(c -> c.keyword() == Keyword.FROM)) {
                throw new ModelfileException(0, "no FROM line");
            }
            return new Modelfile(out);
        }

        private void command() {
            int start = line;
            String word = word(false);
            if (word.isEmpty() || !atBlank()) {
                throw new ModelfileException(line, "command must be one of \"from\", \"license\", \"template\", "
                        + "\"system\", \"adapter\", \"parameter\" or \"message\"");
            }
            Keyword keyword;
            try {
                keyword = Keyword.valueOf(word.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ModelfileException(line, "unknown command '%s': must be one of FROM, PARAMETER, TEMPLATE, "
                        .formatted(word) + "SYSTEM, ADAPTER, LICENSE or MESSAGE");
            }
            skipBlanks();
            String name = null;
            if (keyword == Keyword.PARAMETER) {
                name = word(true);
                if (name.isEmpty() || !atBlank()) {
                    throw new ModelfileException(line, "PARAMETER needs a name and a value");
                }
                skipBlanks();
            } else if (keyword == Keyword.MESSAGE) {
                name = word(false);
                if (!ROLES.contains(name) || !atBlank()) {
                    throw new ModelfileException(line,
                            "message role must be one of \"system\", \"user\", or \"assistant\"");
                }
                skipBlanks();
            }
            String value = value(start);
            if (keyword == Keyword.PARAMETER) {
                try {
                    Parameters.parse(name, value);
                } catch (InvalidRequestException e) {
                    throw new ModelfileException(start, e.getMessage());
                }
            }
            out.add(new Command(keyword, name, value, start));
        }

        /** Letters (and digits and '_' for parameter names). */
        private String word(boolean parameterName) {
            int from = pos;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
                        || parameterName && (c >= '0' && c <= '9' || c == '_');
                if (!ok) {
                    break;
                }
                pos++;
            }
            return text.substring(from, pos);
        }

        private boolean atBlank() {
            return pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t');
        }

        private void skipBlanks() {
            while (atBlank()) {
                pos++;
            }
        }

        private void skipLine() {
            while (pos < text.length() && text.charAt(pos) != '\n') {
                pos++;
            }
        }

        /**
         * The value: the rest of the line, extended line by line while it is an unclosed quote (Ollama ends a
         * value at the first line end where the trimmed text so far unquotes).
         */
        private String value(int start) {
            StringBuilder buf = new StringBuilder();
            while (true) {
                int eol = text.indexOf('\n', pos);
                int end = eol < 0 ? text.length() : eol;
                buf.append(text, pos, end);
                pos = end;
                String unquoted = unquote(buf.toString().strip());
                if (unquoted != null) {
                    return unquoted;
                }
                if (eol < 0) {
                    throw new ModelfileException(start, "unterminated quoted value");
                }
                buf.append('\n');
                pos++;
                line++;
            }
        }

        private static String unquote(String s) {
            if (s.startsWith("\"\"\"")) {
                return s.length() >= 6 && s.endsWith("\"\"\"") ? s.substring(3, s.length() - 3) : null;
            }
            if (s.startsWith("\"")) {
                return s.length() >= 2 && s.endsWith("\"") ? s.substring(1, s.length() - 1) : null;
            }
            return s;
        }
    }
}
