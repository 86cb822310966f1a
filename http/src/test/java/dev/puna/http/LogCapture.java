package dev.puna.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** Collects every log line at INFO and above (the root logger and the access log) while open. */
final class LogCapture implements AutoCloseable {
    private static final List<String> LOGGERS = List.of("", "dev.puna.http.access");
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final List<Level> before = new java.util.ArrayList<>();

    LogCapture() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("capture-" + System.identityHashCode(this), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                String thrown = event.getThrown() == null ? "" : " " + event.getThrown();
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage() + thrown);
            }
        };
        appender.start();
        for (String name : LOGGERS) {
            LoggerConfig c = ctx.getConfiguration().getLoggerConfig(name);
            before.add(c.getLevel());
            c.addAppender(appender, Level.INFO, null);
            c.setLevel(Level.INFO);
        }
        ctx.updateLoggers();
    }

    /** The lines so far, each {@code LEVEL message}. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        for (int i = 0; i < LOGGERS.size(); i++) {
            LoggerConfig c = ctx.getConfiguration().getLoggerConfig(LOGGERS.get(i));
            c.removeAppender(appender.getName());
            c.setLevel(before.get(i));
        }
        ctx.updateLoggers();
        appender.stop();
    }
}
