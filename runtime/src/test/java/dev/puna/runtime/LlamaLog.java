package dev.puna.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every line llama.cpp logs (logger {@code dev.puna.llama}, all levels) while open, kept off the console: how tests
 * read what llama.cpp itself reports about a load (tensor placement, buffer sizes) that its C API does not return.
 */
final class LlamaLog implements AutoCloseable {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final LoggerConfig config;
    private final Level level;
    private final boolean additive;

    LlamaLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        config = ctx.getConfiguration().getLoggerConfig("dev.puna.llama");
        level = config.getLevel();
        additive = config.isAdditive();
        appender = new AbstractAppender("llama-" + System.identityHashCode(this), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        config.addAppender(appender, Level.ALL, null);
        config.setLevel(Level.ALL);
        config.setAdditive(false);
        ctx.updateLoggers();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        config.removeAppender(appender.getName());
        config.setLevel(level);
        config.setAdditive(additive);
        ctx.updateLoggers();
        appender.stop();
    }
}
