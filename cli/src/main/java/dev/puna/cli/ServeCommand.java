package dev.puna.cli;

import dev.puna.http.CatalogModel;
import dev.puna.http.GgufDirectoryCatalog;
import dev.puna.http.ModelCatalog;
import dev.puna.http.PunaServer;
import dev.puna.http.ServerConfig;
import dev.puna.runtime.PunaException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code puna serve}: runs the HTTP server (Ollama's API) with its settings from the {@code PUNA_*} environment
 * variables until the process is stopped. Models are the {@code *.gguf} files in {@code PUNA_MODELS}; with
 * {@code --demo} the generated demo model is served too, as {@code puna-demo}.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Start the Puna server (Ollama-compatible API).",
                "Settings come from PUNA_HOST, PUNA_KEEP_ALIVE, PUNA_NUM_PARALLEL, PUNA_MAX_LOADED_MODELS, "
                        + "PUNA_MAX_QUEUE, PUNA_CONTEXT_LENGTH, PUNA_FLASH_ATTENTION, PUNA_KV_CACHE_TYPE, PUNA_MODELS, "
                        + "PUNA_ORIGINS, PUNA_MAX_BODY_SIZE, PUNA_MAX_MEMORY, PUNA_COMPLETION_TEMPLATES (see README)."})
final class ServeCommand implements Callable<Integer> {
    /** The demo model's name. */
    static final String DEMO = "puna-demo:latest";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--demo", description = "Also serve the generated demo model as 'puna-demo'")
    boolean demo;

    /** Where the settings come from; tests replace it. */
    Supplier<Map<String, String>> environment = System::getenv;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile PunaServer server;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ServerConfig config = ServerConfig.fromEnvironment(environment.get());
        ModelCatalog catalog = new GgufDirectoryCatalog(config.modelsDir());
        if (demo) {
            catalog = withDemo(catalog, demoModel());
        }
        PunaServer s = PunaServer.start(config, catalog);
        server = s;
        Thread hook = new Thread(this::stop, "puna-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("puna: listening on " + s.url() + " (models: " + config.modelsDir()
                + (demo ? ", and the demo model 'puna-demo'" : "") + ")");
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

    private static ModelCatalog withDemo(ModelCatalog models, CatalogModel demoModel) {
        return new ModelCatalog() {
            @Override
            public Optional<CatalogModel> find(String name) throws IOException {
                String n = name.toLowerCase(java.util.Locale.ROOT);
                if (n.equals("puna-demo") || n.equals(DEMO)) {
                    return Optional.of(demoModel);
                }
                return models.find(name);
            }

            @Override
            public List<CatalogModel> list() throws IOException {
                List<CatalogModel> all = new ArrayList<>(models.list());
                all.add(demoModel);
                return all;
            }
        };
    }

    /** The demo model's catalog entry: the file {@code puna generate} uses, under the name {@value #DEMO}. */
    private static CatalogModel demoModel() {
        Path file = GenerateCommand.demoModel();
        try {
            CatalogModel asFile = new GgufDirectoryCatalog(file.getParent()).list().stream()
                    .filter(m -> m.path().equals(file)).findFirst()
                    .orElseThrow(() -> new IOException("not found"));
            return new CatalogModel(DEMO, file, asFile.digest(), asFile.size(), asFile.modifiedAt(), asFile.details(),
                    null, null, Map.of(), null, null);
        } catch (IOException e) {
            throw new PunaException("cannot read the demo model " + file + ": " + e.getMessage(), e);
        }
    }
}
