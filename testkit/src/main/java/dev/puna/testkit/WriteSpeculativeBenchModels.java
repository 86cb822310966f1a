package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the speculative-decoding benchmark's pair for {@code bench/speculative.sh}:
 * {@code WriteSpeculativeBenchModels DIR [TARGET [DRAFT]]} prints the target's path, then the draft's, one per line.
 * TARGET is {@code llama} ({@link TestModels#scriptedBenchTarget}, the default) or {@code mamba}
 * ({@link TestModels#scriptedMambaBenchTarget}, a recurrent target); DRAFT is {@code scripted} (the scripted model,
 * every drafted token right; the default) or {@code off-script} ({@link TestModels#offScript}: partly rejected in
 * every round of the count).
 */
public final class WriteSpeculativeBenchModels {
    private WriteSpeculativeBenchModels() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 3) {
            System.err.println("usage: WriteSpeculativeBenchModels DIR [llama|mamba [scripted|off-script]]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        String target = args.length > 1 ? args[1] : "llama";
        String draft = args.length > 2 ? args[2] : "scripted";
        Path targetFile = switch (target) {
            case "llama" -> TestModels.scriptedBenchTarget(dir);
            case "mamba" -> TestModels.scriptedMambaBenchTarget(dir);
            default -> throw usage("target", target);
        };
        Path draftFile = switch (draft) {
            case "scripted" -> TestModels.scripted(dir, GgmlType.F32);
            case "off-script" -> TestModels.offScript(dir);
            default -> throw usage("draft", draft);
        };
        System.out.println(targetFile.toAbsolutePath());
        System.out.println(draftFile.toAbsolutePath());
    }

    private static IllegalArgumentException usage(String what, String value) {
        return new IllegalArgumentException("unknown " + what + " '" + value + "'");
    }
}
