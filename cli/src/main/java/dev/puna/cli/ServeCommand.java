package dev.puna.cli;

import dev.puna.http.ConfigFile;
import dev.puna.http.EffectiveConfig;
import dev.puna.http.PunaServer;
import dev.puna.http.ServerConfig;
import dev.puna.http.Setting;
import dev.puna.http.Settings;
import dev.puna.runtime.os.ServiceNotifier;
import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code puna serve}: runs the HTTP server (Ollama's API) over the model store in {@code PUNA_MODELS} (and, with
 * {@code PUNA_OLLAMA_MODELS}, an Ollama store read-only) until the process is stopped. Every setting of
 * {@link Settings} comes, by precedence, from its flag ({@code --num-parallel 8}, added to this command from the
 * registry), its environment variable, the config file ({@code --config FILE}, else the user's or the system's,
 * see {@link ConfigFile}), or its default; {@code --print-config} shows the result. With {@code --demo} the
 * generated demo model is registered in the store as {@code puna-demo} first.
 *
 * <p>SIGTERM or SIGINT shuts down gracefully ({@link PunaServer#drain} for {@code PUNA_SHUTDOWN_TIMEOUT}, then
 * {@link PunaServer#close}) and the command returns 0; a second signal exits at once with 128 + the signal's
 * number, as a process killed by it would.
 *
 * <p>Under systemd ({@code Type=notify}, {@code NOTIFY_SOCKET} set) it reports {@code READY=1} once it listens and
 * {@code STOPPING=1} when a shutdown begins; without {@code NOTIFY_SOCKET} nothing is sent.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, modelTransformer = ServeCommand.SettingFlags.class,
        description = {"Start the Puna server (Ollama- and OpenAI-compatible API).",
                "Each setting comes from its flag, else its PUNA_* environment variable, else the config file "
                        + "(--config, else $XDG_CONFIG_HOME/puna/puna.conf or /etc/puna/puna.conf), else its default "
                        + "(see README)."})
final class ServeCommand implements Callable<Integer> {
    /** The demo model's name. */
    static final String DEMO = "puna-demo:latest";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--demo", description = "Also serve the generated demo model as 'puna-demo' (registered in the "
            + "model store)")
    boolean demo;

    @Option(names = "--config", paramLabel = "FILE", description = "Read settings from FILE (PUNA_NAME=value lines) "
            + "instead of $XDG_CONFIG_HOME/puna/puna.conf or /etc/puna/puna.conf")
    Path configFile;

    @Option(names = "--print-config", description = "Print every setting's effective value and where it came from "
            + "(flag, env, file, default), secrets masked, then exit")
    boolean printConfig;

    /** Where the settings come from; tests replace it. */
    Supplier<Map<String, String>> environment = System::getenv;

    private static final Logger SAY = LogManager.getLogger("dev.puna.serve");

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicInteger signals = new AtomicInteger();
    private volatile PunaServer server;
    private volatile PrintWriter err;

    /** Adds one {@code --flag VALUE} option per {@link Setting}, so that a new setting gets its flag for free. */
    static final class SettingFlags implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            for (Setting s : Settings.all()) {
                String dflt = s.defaultText().isEmpty() ? "" : " (default: " + s.defaultText() + ")";
                spec.addOption(CommandLine.Model.OptionSpec.builder(s.flag()).paramLabel("VALUE").type(String.class)
                        .description(s.help() + "; " + s.name() + dflt).build());
            }
            return spec;
        }
    }

    /** The effective settings: flags over the environment over the config file over the defaults. */
    EffectiveConfig settings() {
        Map<String, String> env = environment.get();
        Map<String, String> flags = new LinkedHashMap<>();
        for (Setting s : Settings.all()) {
            CommandLine.Model.OptionSpec option = spec.findOption(s.flag());
            if (option != null && option.getValue() != null) {
                flags.put(s.name(), option.getValue());
            }
        }
        Path file = configFile != null ? configFile : ConfigFile.locate(env).orElse(null);
        return EffectiveConfig.resolve(flags, env, file == null ? ConfigFile.NONE : ConfigFile.read(file));
    }

    @Override
    public Integer call() throws InterruptedException {
        err = spec.commandLine().getErr();
        EffectiveConfig settings = settings();
        if (printConfig) {
            PrintWriter out = spec.commandLine().getOut();
            Path file = configFile != null ? configFile : ConfigFile.locate(environment.get()).orElse(null);
            out.println("# config file: " + (file == null ? "none" : file));
            out.print(settings.describe());
            out.flush();
            settings.toServerConfig(); // a bad value is reported (exit code 2) after the listing
            return 0;
        }
        ServerConfig config = settings.toServerConfig();
        LogSetup.apply(config.logFormat());
        ModelStore store = PunaServer.openStore(config);
        if (demo) {
            store.register(DEMO, GenerateCommand.demoModel(), ProgressListener.NONE);
        }
        ServiceNotifier systemd = ServiceNotifier.fromEnvironment(environment.get());
        PunaServer s = PunaServer.start(config, store);
        server = s;
        // Signals are handled here rather than by the JVM's shutdown hooks, so that a SIGTERM exits 0 after the
        // drain and a second one can exit at once; the hook covers other exits (System.exit, SIGHUP).
        Map<Signal, SignalHandler> previous = handleSignals();
        Thread hook = new Thread(this::stop, "puna-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        say("listening on " + s.url() + " (models: " + config.modelsDir()
                + store.ollamaRoot().map(o -> ", and read-only " + o).orElse("")
                + (demo ? ", with the demo model 'puna-demo'" : "") + ")");
        systemd.ready("listening on " + s.url());
        try {
            stopRequested.await();
            systemd.stopping("draining for up to " + config.shutdownTimeout().toSeconds() + " s");
            s.drain(config.shutdownTimeout());
            s.close();
        } finally {
            stopped.countDown();
            previous.forEach(Signal::handle);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is what stopped us
        }
        return 0;
    }

    private Map<Signal, SignalHandler> handleSignals() {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal signal = new Signal(name);
                previous.put(signal, Signal.handle(signal, this::onSignal));
            } catch (IllegalArgumentException unavailable) {
                // The signal cannot be handled here (taken by the JVM or the OS): it keeps its default action.
            }
        }
        return previous;
    }

    /** Runs on a thread of its own per signal (the JVM's signal dispatcher starts one). */
    private void onSignal(Signal signal) {
        if (signals.incrementAndGet() > 1) {
            say("SIG" + signal.getName() + " again: exiting now");
            Runtime.getRuntime().halt(128 + signal.getNumber());
        }
        say("SIG" + signal.getName() + ": shutting down, letting requests in flight finish (send it again to exit at "
                + "once)");
        stopRequested.countDown();
    }

    /**
     * Tells the operator what the server does: a {@code puna: } line on stderr, or with JSON logs an info event of
     * the logger {@code dev.puna.serve}, so that every line stays one JSON object.
     */
    private void say(String message) {
        if (LogSetup.json()) {
            SAY.info("puna: {}", message);
        } else {
            err.println("puna: " + message);
            err.flush();
        }
    }

    /**
     * Shuts the server down gracefully, as a SIGTERM does, and waits until {@link #call()} has closed it; safe from
     * any thread, idempotent.
     */
    void stop() {
        stopRequested.countDown();
        if (server != null) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The running server, once started (for tests). */
    PunaServer server() {
        return server;
    }
}
