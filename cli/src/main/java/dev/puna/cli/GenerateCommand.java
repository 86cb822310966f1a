package dev.puna.cli;

import dev.puna.runtime.GenerateRequest;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.SamplingParams;
import dev.puna.runtime.Session;
import dev.puna.runtime.SessionParams;
import dev.puna.runtime.Timings;
import dev.puna.runtime.rpc.RpcEndpoint;
import dev.puna.testkit.TestModels;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code puna generate}: loads a GGUF model in-process, streams the completion of a prompt to stdout and prints
 * timings to stderr. Without {@code --model} it generates (once) and uses a tiny scripted demo model, so the
 * command works offline on a fresh machine.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate text from a prompt with a local GGUF model (no server needed).")
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "GGUF model file (default: a generated demo model)")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt")
    String prompt;

    @Option(names = {"-n", "--n"}, paramLabel = "N", defaultValue = "128",
            description = "Most tokens to generate, -1 for no limit (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temp", paramLabel = "T", description = "Temperature (default: 0.8; 0 = greedy)")
    Double temperature;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (default: random)")
    Long seed;

    @Option(names = "--ctx", paramLabel = "N", defaultValue = "4096", description = "Context size (default: ${DEFAULT-VALUE})")
    int contextSize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "CPU threads (default: all cores)")
    Integer threads;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string (repeatable)")
    List<String> stop = List.of();

    @Option(names = "--rpc", paramLabel = "HOST:PORT,...",
            description = "Split the model's layers over these llama.cpp rpc-server workers (llama-cli's --rpc)")
    String rpc;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path path = model != null ? model : demoModel();
        SamplingParams.Builder sampling = SamplingParams.builder();
        if (temperature != null) {
            sampling.temperature(temperature);
        }
        if (seed != null) {
            sampling.seed(seed);
        }
        SessionParams.Builder sp = SessionParams.builder().contextSize(contextSize);
        if (threads != null) {
            sp.threads(threads);
        }
        GenerateRequest request = GenerateRequest.builder().prompt(prompt).maxTokens(maxTokens)
                .sampling(sampling.build()).stop(stop).build();
        SessionParams sessionParams = sp.build();
        ModelParams modelParams = ModelParams.builder().rpcServers(RpcEndpoint.parseList(rpc)).build();
        try (Model m = Model.load(path, modelParams); Session session = m.newSession(sessionParams)) {
            GenerationResult r = session.generate(request, e -> {
                out.print(e.text());
                out.flush();
            });
            out.println();
            Timings t = r.timings();
            err.printf(Locale.ROOT, "model: %s (%s, %s)%n", path, m.info().architecture(), m.info().quantization());
            err.printf(Locale.ROOT, "load: %.1f ms%n", m.loadNanos() / 1e6);
            err.printf(Locale.ROOT, "prompt: %d tokens, %.1f ms, %.2f tok/s%n", t.promptTokensEvaluated(),
                    t.promptEvalNanos() / 1e6, t.promptTokensPerSecond());
            err.printf(Locale.ROOT, "eval: %d tokens, %.1f ms, %.2f tok/s%n", t.tokensGenerated(),
                    t.evalNanos() / 1e6, t.evalTokensPerSecond());
            err.printf(Locale.ROOT, "finish: %s%n", r.finishReason().name().toLowerCase(Locale.ROOT));
        }
        return 0;
    }

    /** The demo model, written to the cache on first use. */
    static Path demoModel() {
        Path dir = demoDir();
        try {
            return TestModels.demo(dir);
        } catch (java.io.IOException e) {
            throw new dev.puna.runtime.PunaException("cannot write the demo model into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path demoDir() {
        String cache = System.getenv("PUNA_CACHE_DIR");
        if (cache != null && !cache.isBlank()) {
            return Path.of(cache, "demo");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "puna", "demo")
                : Path.of(System.getProperty("user.home"), ".cache", "puna", "demo");
    }
}
