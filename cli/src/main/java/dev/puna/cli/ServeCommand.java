package dev.puna.cli;

import dev.puna.http.PunaServer;
import dev.puna.http.ServerConfig;
import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code puna serve}: runs the HTTP server (Ollama's API) over the model store in {@code PUNA_MODELS} (and, with
 * {@code PUNA_OLLAMA_MODELS}, an Ollama store read-only), with its settings from the {@code PUNA_*} environment
 * variables, until the process is stopped. With {@code --demo} the generated demo model is registered in the store
 * as {@code puna-demo} first.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Start the Puna server (Ollama-compatible API).",
                "Settings come from PUNA_HOST, PUNA_MODELS, PUNA_OLLAMA_MODELS, PUNA_KEEP_ALIVE, PUNA_NUM_PARALLEL, "
                        + "PUNA_MAX_LOADED_MODELS, PUNA_MAX_QUEUE, PUNA_CONTEXT_LENGTH, PUNA_FLASH_ATTENTION, "
                        + "PUNA_KV_CACHE_TYPE, PUNA_ORIGINS, PUNA_MAX_BODY_SIZE, PUNA_MAX_MEMORY, PUNA_CACHE_RAM, "
                        + "PUNA_NUM_THREAD, PUNA_COMPLETION_TEMPLATES, PUNA_HF_ENDPOINT (see README)."})
final class ServeCommand implements Callable<Integer> {
    /** The demo model's name. */
    static final String DEMO = "puna-demo:latest";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--demo", description = "Also serve the generated demo model as 'puna-demo' (registered in the "
            + "model store)")
    boolean demo;

    /** Where the settings come from; tests replace it. */
    Supplier<Map<String, String>> environment = System::getenv;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile PunaServer server;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = ServerConfig.fromEnvironment(environment.get());
        ModelStore store = PunaServer.openStore(config);
        if (demo) {
            store.register(DEMO, GenerateCommand.demoModel(), ProgressListener.NONE);
        }
        PunaServer s = PunaServer.start(config, store);
        server = s;
        Thread hook = new Thread(this::stop, "puna-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("puna: listening on " + s.url() + " (models: " + config.modelsDir()
                + store.ollamaRoot().map(o -> ", and read-only " + o).orElse("")
                + (demo ? ", with the demo model 'puna-demo'" : "") + ")");
        err.flush();
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
        }
        return 0;
    }

    /** Stops the server and lets {@link #call()} return; safe from any thread, idempotent. */
    void stop() {
        PunaServer s = server;
        if (s != null) {
            s.close();
        }
        stopped.countDown();
    }

    /** The running server, once started (for tests). */
    PunaServer server() {
        return server;
    }
}
