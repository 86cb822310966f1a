package dev.puna.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code puna run MODEL [PROMPT]}, as Ollama's: pulls the model first when the server does not have it; with a
 * prompt (arguments, or standard input when it is not a terminal, the two joined) prints one streamed completion
 * ({@code /api/generate}); otherwise chats interactively ({@code /api/chat}), keeping the conversation, streaming
 * each answer, until {@code /bye} or end of input.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a model: one prompt, or a chat.")
final class RunCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1..*", paramLabel = "PROMPT", arity = "0..*", description = "The prompt (else a chat)")
    List<String> prompt = new ArrayList<>();

    @Option(names = "--keepalive", paramLabel = "DURATION", description = "How long the model stays loaded "
            + "afterwards, e.g. 5m, 1h, 0")
    String keepAlive;

    @Option(names = "--insecure", description = "Use an insecure registry if the model must be pulled")
    boolean insecure;

    @Override
    public Integer call() throws IOException {
        ensurePresent();
        List<String> parts = new ArrayList<>();
        if (!environment.interactiveInput()) {
            String piped = new String(environment.stdin().readAllBytes(), StandardCharsets.UTF_8);
            if (!piped.isEmpty()) {
                parts.add(piped);
            }
        }
        parts.addAll(prompt);
        if (!parts.isEmpty() || !environment.interactiveInput()) {
            generate(String.join(" ", parts));
        } else {
            chat();
        }
        return 0;
    }

    /** Pulls the model when the server does not have it, as {@code ollama run} does. */
    private void ensurePresent() {
        try {
            client().post("/api/show", Map.of("model", model));
        } catch (CliException e) {
            if (e.status() != 404) {
                throw e;
            }
            streamProgress("/api/pull", Map.of("model", model, "insecure", insecure));
        }
    }

    private Map<String, Object> request() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        if (keepAlive != null) {
            body.put("keep_alive", keepAlive.matches("-?\\d+") ? Integer.valueOf(keepAlive) : keepAlive);
        }
        return body;
    }

    private void generate(String text) {
        PrintWriter out = out();
        Map<String, Object> body = request();
        body.put("prompt", text);
        StringBuilder printed = new StringBuilder();
        client().stream("/api/generate", body, line -> {
            String piece = line.path("response").asText();
            printed.append(piece);
            out.print(piece);
            out.flush();
        });
        if (!printed.isEmpty() && printed.charAt(printed.length() - 1) != '\n') {
            out.println();
        }
        out.flush();
    }

    private void chat() throws IOException {
        PrintWriter out = out();
        BufferedReader in = new BufferedReader(new InputStreamReader(environment.stdin(), StandardCharsets.UTF_8));
        List<Map<String, String>> messages = new ArrayList<>();
        while (true) {
            out.print(">>> ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                out.println();
                break;
            }
            String text = line.strip();
            if (text.startsWith("\"\"\"")) {
                text = multiline(text.substring(3), in, out);
            } else if (text.equals("/bye")) {
                break;
            } else if (text.equals("/?") || text.equals("/help")) {
                out.println("Available commands:\n  /clear    Clear the conversation\n  /bye      Exit\n"
                        + "  /?        Show this help\n\nUse \"\"\" to begin and end a message of several lines.\n");
                continue;
            } else if (text.equals("/clear")) {
                messages.clear();
                out.println("Cleared session context");
                continue;
            } else if (text.startsWith("/")) {
                out.println("Unknown command '" + text.split("\\s+")[0] + "'. Type /? for help");
                continue;
            }
            if (text.isEmpty()) {
                continue;
            }
            messages.add(Map.of("role", "user", "content", text));
            Map<String, Object> body = request();
            body.put("messages", messages);
            StringBuilder reply = new StringBuilder();
            client().stream("/api/chat", body, l -> {
                String piece = l.path("message").path("content").asText();
                reply.append(piece);
                out.print(piece);
                out.flush();
            });
            out.println();
            out.println();
            messages.add(Map.of("role", "assistant", "content", reply.toString()));
        }
        out.flush();
    }

    /** A message of several lines: from after the opening {@code """} to the line that ends with one. */
    private static String multiline(String first, BufferedReader in, PrintWriter out) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line = first;
        while (true) {
            if (line.endsWith("\"\"\"")) {
                sb.append(line, 0, line.length() - 3);
                return sb.toString().strip();
            }
            sb.append(line).append('\n');
            out.print("... ");
            out.flush();
            line = in.readLine();
            if (line == null) {
                return sb.toString().strip();
            }
        }
    }
}
