package dev.puna.cli;

import dev.puna.http.LogFormat;
import java.util.Locale;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * Chooses the log format of {@code log4j2.xml} (its arbiter reads the system property {@value #PROPERTY}): set
 * from {@code PUNA_LOG_FORMAT} before anything logs, so that even the first lines have the chosen format, and
 * applied again, with a reconfiguration, once {@code puna serve} has read its settings.
 */
final class LogSetup {
    /** The system property {@code log4j2.xml}'s arbiter reads: {@code json} or {@code text}. */
    static final String PROPERTY = "puna.log.format";

    private LogSetup() {
    }

    /** Before Log4j starts: a valid {@code PUNA_LOG_FORMAT} in {@code env} sets the property (invalid ones are
     * reported by the server's settings later). */
    static void early(Map<String, String> env) {
        String value = env.get("PUNA_LOG_FORMAT");
        if (value != null && System.getProperty(PROPERTY) == null) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (v.equals("json") || v.equals("text")) {
                System.setProperty(PROPERTY, v);
            }
        }
    }

    /** Switches Log4j to {@code format} when it is not the one in use. */
    static void apply(LogFormat format) {
        String wanted = format.toString();
        if (wanted.equals(System.getProperty(PROPERTY, LogFormat.TEXT.toString()))) {
            return;
        }
        System.setProperty(PROPERTY, wanted);
        if (LogManager.getContext(false) instanceof LoggerContext context) {
            context.reconfigure();
        }
    }

    /** Whether log lines are JSON now. (A literal, not {@code LogFormat.JSON}: a client command's error path
     * should not load the server's classes.) */
    static boolean json() {
        return "json".equals(System.getProperty(PROPERTY));
    }
}
