package dev.puna.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows the NDJSON progress of pull, push and create ({@code {status, digest, total, completed}}) as Ollama's CLI
 * does: one line per status, transfers with a bar, {@code pulling 6a0746a1ec1a: 100% ▕████████████▏ 4.7 GB}.
 *
 * <p>On a terminal the current line is redrawn in place ({@code \r}, clear to end of line) as updates arrive. When
 * output is not a terminal (a pipe, a log, a test) each status is printed once, in its final state, so the output
 * is stable. Not thread-safe: feed it from the thread reading the stream.
 */
final class ProgressPrinter {
    private static final int BAR = 20;

    private final PrintWriter out;
    private final boolean terminal;
    private String currentKey;
    private String currentLine;

    ProgressPrinter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** One update. */
    void update(JsonNode progress) {
        String status = progress.path("status").asText();
        String key = status + "\u0000" + progress.path("digest").asText();
        String line = render(status, progress.path("total").asLong(), progress.path("completed").asLong());
        if (!key.equals(currentKey)) {
            finishLine();
            currentKey = key;
        }
        currentLine = line;
        if (terminal) {
            out.print("\r" + line + "\u001b[K");
            out.flush();
        }
    }

    /** Prints what is pending; call when the stream ended (or failed). */
    void finish() {
        finishLine();
        currentKey = null;
    }

    private void finishLine() {
        if (currentLine == null) {
            return;
        }
        if (terminal) {
            out.println();
        } else {
            out.println(currentLine);
        }
        out.flush();
        currentLine = null;
    }

    /** A status line, with a bar when it is a transfer ({@code total > 0}). */
    static String render(String status, long total, long completed) {
        if (total <= 0) {
            return status;
        }
        long done = Math.clamp(completed, 0, total);
        int percent = (int) (done * 100 / total);
        int filled = (int) (done * BAR / total);
        String bar = "▕" + "█".repeat(filled) + " ".repeat(BAR - filled) + "▏";
        String amount = done == total ? HumanFormat.bytes(total)
                : HumanFormat.bytes(done) + "/" + HumanFormat.bytes(total);
        return String.format(Locale.ROOT, "%s: %3d%% %s %s", status, percent, bar, amount);
    }
}
