package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.puna.testkit.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
}
