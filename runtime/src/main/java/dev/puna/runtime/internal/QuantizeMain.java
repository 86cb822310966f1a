package dev.puna.runtime.internal;

import dev.puna.runtime.PunaException;
import dev.puna.runtime.Quantization;
import dev.puna.runtime.Quantizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The child process {@link Quantizer#quantizeInChildProcess} starts: runs {@code llama_model_quantize} and exits.
 * {@code llama_model_quantize} cannot be interrupted and runs on every core, so a cancelled quantization must be
 * a process the parent can kill. Arguments: input, output, the quantization's Ollama name, threads. Exit status 0
 * on success; otherwise 1 and the reason as the last line of standard output. Standard input is a lifeline: the
 * parent never writes to it, and end-of-file (the parent died, even by SIGKILL) ends this process at once.
 */
public final class QuantizeMain {
    private QuantizeMain() {
    }

    /** Entry point; see the class comment. */
    public static void main(String[] args) {
        Thread lifeline = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // Nothing is ever sent; only end-of-file matters.
                }
            } catch (IOException e) {
                // The pipe broke: same as end-of-file.
            }
            Runtime.getRuntime().halt(3);
        }, "puna-quantize-lifeline");
        lifeline.setDaemon(true);
        lifeline.start();
        if (args.length != 4) {
            System.out.println("usage: QuantizeMain INPUT OUTPUT TYPE THREADS");
            System.out.flush();
            Runtime.getRuntime().halt(2);
        }
        int status = 0;
        try {
            Quantizer.quantize(Path.of(args[0]), Path.of(args[1]), Quantization.parse(args[2]),
                    Integer.parseInt(args[3]));
        } catch (PunaException | IllegalArgumentException e) {
            System.out.println(e.getMessage().replace('\n', ' '));
            status = 1;
        }
        System.out.flush();
        // halt, not exit: nothing to clean up, and llama.cpp's static destructors need not run.
        Runtime.getRuntime().halt(status);
    }
}
