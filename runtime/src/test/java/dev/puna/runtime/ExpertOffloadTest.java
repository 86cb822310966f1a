package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/**
 * {@link ModelParams#cpuMoeLayers}: a mixture-of-experts model (the scripted model with 4 experts per layer) loads
 * with its expert tensors overridden to the CPU buffer type, exactly for the layers asked, and generates what it
 * generates without. On a CPU build every tensor is in host memory either way; what this shows is that the
 * overrides reach llama.cpp's loader (its own debug line per overridden tensor) and match only expert tensors.
 */
class ExpertOffloadTest {
    private static final Pattern OVERRIDDEN = Pattern.compile("tensor (\\S+) \\(.*\\) buffer type overridden to (\\S+)");

    @Test
    void theExpertsOfTheFirstLayersAreOverriddenToTheCpuAndTheOutputIsUnchanged() {
        assertEquals(List.of(), loadAndGenerate(0));
        // in the order llama.cpp creates them (src/models/llama.cpp: gate, down, up); the router stays put
        assertEquals(List.of("blk.0.ffn_gate_exps.weight CPU", "blk.0.ffn_down_exps.weight CPU",
                "blk.0.ffn_up_exps.weight CPU"), loadAndGenerate(1));
        assertEquals(List.of("blk.0.ffn_gate_exps.weight CPU", "blk.0.ffn_down_exps.weight CPU",
                "blk.0.ffn_up_exps.weight CPU", "blk.1.ffn_gate_exps.weight CPU", "blk.1.ffn_down_exps.weight CPU",
                "blk.1.ffn_up_exps.weight CPU"), loadAndGenerate(2));
        // more than the model has: every layer, as llama-server's --cpu-moe
        assertEquals(6, loadAndGenerate(99).size());
    }

    /** Loads the MoE model with {@code n_cpu_moe} {@code layers}, checks its scripted output, returns the overrides. */
    private static List<String> loadAndGenerate(int layers) {
        List<String> overridden = new ArrayList<>();
        try (LlamaLog log = new LlamaLog();
             Model m = Model.load(Models.scriptedMoe(), ModelParams.builder().cpuMoeLayers(layers).build())) {
            for (String line : log.lines) {
                Matcher matcher = OVERRIDDEN.matcher(line);
                if (matcher.find()) {
                    overridden.add(matcher.group(1) + " " + matcher.group(2));
                }
            }
            try (Session s = m.newSession(Models.session())) {
                GenerationResult r = s.generate(Models.greedy(TestModels.HELLO_PROMPT));
                assertEquals(TestModels.HELLO_COMPLETION, r.text());
                assertEquals(FinishReason.EOS, r.finishReason());
            }
        }
        return overridden;
    }

    /** Every line llama.cpp logs (logger dev.puna.llama, all levels) while open, kept off the console. */
    private static final class LlamaLog implements AutoCloseable {
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
}
