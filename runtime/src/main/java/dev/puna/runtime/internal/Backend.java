package dev.puna.runtime.internal;

import dev.puna.bindings.Callbacks;
import dev.puna.bindings.GgmlDevices;
import dev.puna.bindings.Llama;
import dev.puna.bindings.Native;
import dev.puna.bindings.NativeLibrary;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Process-wide llama.cpp initialisation: loads the libraries, routes llama.cpp/ggml logging into Log4j
 * (logger {@code dev.puna.llama}) and calls {@code llama_backend_init}, once, before the first model.
 *
 * <p>llama.cpp reports why a load failed only through its log, so the log sink also remembers the last error
 * line per thread; model loading runs on the calling thread and reads it back for its exception message.
 */
public final class Backend {
    private static final Logger LLAMA_LOG = LogManager.getLogger("dev.puna.llama");
    private static final ThreadLocal<StringBuilder> LAST_ERROR = ThreadLocal.withInitial(StringBuilder::new);
    private static volatile boolean initialised;
    private static int lastLevel = 2;

    private Backend() {
    }

    /** Initialises llama.cpp once; cheap after the first call. */
    public static void ensureInitialised() {
        if (!initialised) {
            synchronized (Backend.class) {
                if (!initialised) {
                    Callbacks.installLogSink(Backend::log);
                    Llama.llama_backend_init();
                    LLAMA_LOG.debug("llama.cpp {} loaded from {}", Native.cString(Llama.llama_version()),
                            NativeLibrary.loadedFrom());
                    initialised = true;
                }
            }
        }
    }

    /**
     * Whether ggml found a local GPU (dedicated or integrated). RPC workers never enter ggml's device list (Puna
     * hands their devices to each model and never calls ggml_backend_register), so they do not count here.
     */
    public static boolean hasLocalGpu() {
        ensureInitialised();
        for (long i = 0, n = GgmlDevices.ggml_backend_dev_count(); i < n; i++) {
            int type = GgmlDevices.ggml_backend_dev_type(GgmlDevices.ggml_backend_dev_get(i));
            if (type == GgmlDevices.TYPE_GPU || type == GgmlDevices.TYPE_IGPU) {
                return true;
            }
        }
        return false;
    }

    /** Clears this thread's remembered llama.cpp error text (call before a native operation that may fail). */
    public static void clearLastError() {
        LAST_ERROR.get().setLength(0);
    }

    /** The error/warning lines llama.cpp logged on this thread since {@link #clearLastError()}, trimmed. */
    public static String lastError() {
        return LAST_ERROR.get().toString().strip();
    }

    private static void log(int level, String text) {
        // GGML_LOG_LEVEL_CONT (5) continues the previous line at its level.
        int effective = level == 5 ? lastLevel : level;
        lastLevel = effective;
        if (effective >= 3) {
            StringBuilder sb = LAST_ERROR.get();
            if (sb.length() < 4096) {
                sb.append(text);
            }
        }
        Level l = switch (effective) {
            case 4 -> Level.ERROR;
            case 3 -> Level.WARN;
            // llama.cpp's INFO is a page of tensor and cache details per model load: debug for us.
            case 2 -> Level.DEBUG;
            default -> Level.TRACE;
        };
        if (LLAMA_LOG.isEnabled(l)) {
            LLAMA_LOG.log(l, text.stripTrailing());
        }
    }
}
