package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ollama's options object: defaults, merging over Modelfile parameters, strict types and ranges. */
class OptionsParserTest {
    private final OptionsParser parser = new OptionsParser(2048);

    private static ObjectNode json(String s) {
        try {
            return (ObjectNode) JsonBody.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void defaultsAreOllamas() {
        RequestOptions o = parser.parse(Map.of(), null);
        assertEquals(0.8f, o.sampling().temperature());
        assertEquals(40, o.sampling().topK());
        assertEquals(0.9f, o.sampling().topP());
        assertEquals(0f, o.sampling().minP());
        assertEquals(1f, o.sampling().typicalP());
        assertEquals(64, o.sampling().repeatLastN());
        assertTrue(o.sampling().seed().isEmpty());
        assertEquals(-1, o.numPredict());
        assertEquals(4, o.numKeep());
        assertEquals(List.of(), o.stop());
        assertEquals(new LoadOptions(2048, 512, 0, -1, -1, true, false), o.load());
    }

    @Test
    void everyPerRequestKeyIsRead() {
        RequestOptions o = parser.parse(Map.of(), json("""
                {"num_keep":8,"seed":42,"num_predict":100,"top_k":20,"top_p":0.5,"min_p":0.05,"typical_p":0.7,
                 "repeat_last_n":33,"temperature":0.2,"repeat_penalty":1.2,"presence_penalty":0.3,
                 "frequency_penalty":0.4,"mirostat":2,"mirostat_tau":4.0,"mirostat_eta":0.2,"stop":["\\n","END"],
                 "num_ctx":1024,"num_batch":64,"num_thread":3,"num_gpu":0,"main_gpu":1,"use_mmap":false,
                 "use_mlock":true}"""));
        assertEquals(8, o.numKeep());
        assertEquals(42L, o.sampling().seed().getAsLong());
        assertEquals(100, o.numPredict());
        assertEquals(20, o.sampling().topK());
        assertEquals(0.5f, o.sampling().topP());
        assertEquals(0.05f, o.sampling().minP());
        assertEquals(0.7f, o.sampling().typicalP());
        assertEquals(33, o.sampling().repeatLastN());
        assertEquals(0.2f, o.sampling().temperature());
        assertEquals(1.2f, o.sampling().repeatPenalty());
        assertEquals(0.3f, o.sampling().presencePenalty());
        assertEquals(0.4f, o.sampling().frequencyPenalty());
        assertEquals(2, o.sampling().mirostat());
        assertEquals(4.0f, o.sampling().mirostatTau());
        assertEquals(0.2f, o.sampling().mirostatEta());
        assertEquals(List.of("\n", "END"), o.stop());
        assertEquals(new LoadOptions(1024, 64, 3, 0, 1, false, true), o.load());
    }

    @Test
    void requestOverridesModelParameters() {
        RequestOptions o = parser.parse(Map.of("temperature", 0.1, "stop", List.of("<|im_end|>"), "num_ctx", 512),
                json("{\"temperature\":0.9}"));
        assertEquals(0.9f, o.sampling().temperature());
        assertEquals(List.of("<|im_end|>"), o.stop());
        assertEquals(512, o.load().numCtx());
    }

    @Test
    void wholeFloatsAreIntegersAndIntsAreFloats() {
        RequestOptions o = parser.parse(Map.of(), json("{\"top_k\":10.0,\"temperature\":1,\"stop\":\"x\"}"));
        assertEquals(10, o.sampling().topK());
        assertEquals(1f, o.sampling().temperature());
        assertEquals(List.of("x"), o.stop());
    }

    @Test
    void nullKeepsTheDefaultAndUnknownKeysAreIgnored() {
        RequestOptions o = parser.parse(Map.of(), json("{\"temperature\":null,\"penalize_newline\":true,\"bogus\":1}"));
        assertEquals(0.8f, o.sampling().temperature());
    }

    @Test
    void wrongTypesNameTheOption() {
        assertError("invalid value for \"options.temperature\": expected a number, got a string (\"hot\")",
                "temperature", "{\"temperature\":\"hot\"}");
        assertError("invalid value for \"options.top_k\": expected an integer, got 1.5", "options.top_k",
                "{\"top_k\":1.5}");
        assertError("invalid value for \"options.num_ctx\": expected an integer, got a string (\"4096\")",
                "options.num_ctx", "{\"num_ctx\":\"4096\"}");
        assertError("invalid value for \"options.use_mmap\": expected a boolean, got a number (1)", "use_mmap",
                "{\"use_mmap\":1}");
        assertError("invalid value for \"options.stop\": expected an array of strings, got an array", "stop",
                "{\"stop\":[1]}");
        assertError("invalid value for \"options.seed\": expected an integer, got a string (\"1\")", "seed",
                "{\"seed\":\"1\"}");
    }

    @Test
    void outOfRangeValuesNameTheOption() {
        assertError("invalid option top_p: must be between 0 and 1, got 1.5", "top_p", "{\"top_p\":1.5}");
        assertError("invalid option temperature: must be >= 0, got -1.0", "temperature", "{\"temperature\":-1}");
        assertError("invalid option top_k: must be >= 0 (0 disables), got -3", "top_k", "{\"top_k\":-3}");
        assertError("invalid option num_ctx: must be between 1 and 262144 (PUNA_MAX_NUM_CTX), got 0", "num_ctx", "{\"num_ctx\":0}");
        assertError("invalid option num_batch: must be between 1 and 1048576, got 0", "num_batch",
                "{\"num_batch\":0}");
        assertError("invalid option num_predict: must be >= -1 (-1 = no limit), got -5", "num_predict",
                "{\"num_predict\":-5}");
        assertError("invalid option n_cpu_moe: must be >= -1 (-1 = auto: experts in host memory only where the "
                + "model does not fit), got -2", "n_cpu_moe", "{\"n_cpu_moe\":-2}");
        assertError("invalid value for \"options.n_cpu_moe\": expected an integer, got a string (\"all\")",
                "options.n_cpu_moe", "{\"n_cpu_moe\":\"all\"}");
    }

    @Test
    void nCpuMoeIsALoadOptionFromTheRequestOrTheModelfile() {
        assertEquals(-1, parser.parse(Map.of(), null).load().cpuMoeLayers());
        assertEquals(12, parser.parse(Map.of("n_cpu_moe", 12L), null).load().cpuMoeLayers());
        assertEquals(new LoadOptions(2048, 512, 0, -1, -1, true, false, LoadOptions.Draft.DEFAULT, null, 0),
                parser.parse(Map.of("n_cpu_moe", 12L), json("{\"n_cpu_moe\":0}")).load());
    }

    @Test
    void theServersNCpuMoeIsTheDefaultUnderTheModelfileAndTheRequest() {
        OptionsParser withDefault = new OptionsParser(2048, RequestLimits.DEFAULTS, List.of(), 20);
        assertEquals(20, withDefault.parse(Map.of(), null).load().cpuMoeLayers());
        assertEquals(12, withDefault.parse(Map.of("n_cpu_moe", 12L), null).load().cpuMoeLayers());
        assertEquals(0, withDefault.parse(Map.of("n_cpu_moe", 12L), json("{\"n_cpu_moe\":0}")).load().cpuMoeLayers());
        // a request's -1 asks for the planner's choice, whatever the server's default
        assertEquals(-1, withDefault.parse(Map.of(), json("{\"n_cpu_moe\":-1}")).load().cpuMoeLayers());
        assertEquals(-1, new OptionsParser(2048, RequestLimits.DEFAULTS, List.of()).parse(Map.of(), null).load()
                .cpuMoeLayers());
        // a server's parser takes PUNA_N_CPU_MOE and PUNA_CONTEXT_LENGTH from its configuration
        OptionsParser server = OptionsParser.forServer(dev.puna.http.ServerConfig.fromEnvironment(
                Map.of("PUNA_N_CPU_MOE", "7", "PUNA_CONTEXT_LENGTH", "1024")));
        assertEquals(7, server.parse(Map.of(), null).load().cpuMoeLayers());
        assertEquals(1024, server.parse(Map.of(), null).load().numCtx());
        assertEquals(-1, OptionsParser.forServer(dev.puna.http.ServerConfig.fromEnvironment(Map.of()))
                .parse(Map.of(), null).load().cpuMoeLayers());
    }

    private void assertError(String message, String param, String options) {
        ApiException e = assertThrows(ApiException.class, () -> parser.parse(Map.of(), json(options)));
        assertEquals(400, e.status());
        assertEquals(message, e.getMessage());
        assertEquals(param, e.param());
    }
}
