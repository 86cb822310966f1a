package dev.puna.store.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void modelfileValuesAreTyped() {
        assertEquals(4096L, Parameters.parse("num_ctx", "4096"));
        assertEquals(0.7, Parameters.parse("temperature", "0.7"));
        assertEquals(0.1, Parameters.parse("top_p", "0.1"), "float32 parsing keeps the short decimal");
        assertEquals(Boolean.TRUE, Parameters.parse("use_mmap", "true"));
        assertEquals(Boolean.FALSE, Parameters.parse("use_mmap", "F"));
        assertEquals(List.of("<|im_end|>"), Parameters.parse("stop", "<|im_end|>"));
        assertEquals(-1L, Parameters.parse("seed", "-1"));
        assertEquals(12L, Parameters.parse("n_cpu_moe", "12"), "llama-server's --n-cpu-moe, as a Modelfile line");
        assertNull(Parameters.parse("penalize_newline", "true"), "retired parameters are skipped");
    }

    @Test
    void badModelfileValuesNameTheParameter() {
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class,
                () -> Parameters.parse("temprature", "1"));
        assertEquals("unknown parameter 'temprature'", unknown.getMessage());
        InvalidRequestException notInt = assertThrows(InvalidRequestException.class,
                () -> Parameters.parse("num_ctx", "4096.5"));
        assertEquals("invalid int value [4096.5] for parameter 'num_ctx'", notInt.getMessage());
        assertThrows(InvalidRequestException.class, () -> Parameters.parse("temperature", "hot"));
        assertThrows(InvalidRequestException.class, () -> Parameters.parse("temperature", "NaN"));
        assertThrows(InvalidRequestException.class, () -> Parameters.parse("temperature", "1e99"));
        assertThrows(InvalidRequestException.class, () -> Parameters.parse("use_mmap", "yes"));
        assertEquals("invalid int value [all] for parameter 'n_cpu_moe'", assertThrows(InvalidRequestException.class,
                () -> Parameters.parse("n_cpu_moe", "all")).getMessage());
    }

    @Test
    void apiValuesAreValidatedAndNormalized() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("temperature", 1);
        in.put("num_ctx", 2048.0);
        in.put("stop", "END");
        in.put("use_mmap", false);
        Map<String, Object> out = Parameters.validate(in);
        assertEquals(List.of("num_ctx", "stop", "temperature", "use_mmap"), List.copyOf(out.keySet()));
        assertEquals(2048L, out.get("num_ctx"));
        assertEquals(1.0, out.get("temperature"));
        assertEquals(List.of("END"), out.get("stop"));
        assertEquals(false, out.get("use_mmap"));
    }

    @Test
    void apiTypeErrorsAreRefused() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> Parameters.validate(Map.of("num_ctx", 1.5)));
        assertEquals("parameter 'num_ctx' must be an integer, not 1.5", e.getMessage());
        assertThrows(InvalidRequestException.class, () -> Parameters.validate(Map.of("temperature", "0.7")));
        assertThrows(InvalidRequestException.class, () -> Parameters.validate(Map.of("use_mmap", 1)));
        assertThrows(InvalidRequestException.class, () -> Parameters.validate(Map.of("stop", List.of(1))));
        InvalidRequestException unknown = assertThrows(InvalidRequestException.class,
                () -> Parameters.validate(Map.of("nope", 1)));
        assertTrue(unknown.getMessage().contains("'nope'"));
    }

    @Test
    void valuesAreFormattedLikeGo() {
        assertEquals("4096", Parameters.formatPlain(4096L));
        assertEquals("0.7", Parameters.formatPlain(0.7));
        assertEquals("1", Parameters.formatPlain(1.0));
        assertEquals("1e+06", Parameters.formatPlain(1_000_000.0));
        assertEquals("1e-05", Parameters.formatPlain(0.00001));
        assertEquals("\"<|im_end|>\"", Parameters.formatGoSyntax("<|im_end|>"));
        assertEquals("\"a\\\"b\\n\"", Parameters.formatGoSyntax("a\"b\n"));
        assertEquals("true", Parameters.formatGoSyntax(true));
    }

    @Test
    void humanNumbersMatchOllama() {
        assertEquals("8B", HumanNumber.format(8_000_000_000L));
        assertEquals("8.0B", HumanNumber.format(8_030_261_248L));
        assertEquals("134.52M", HumanNumber.format(134_515_008L));
        assertEquals("7M", HumanNumber.format(7_000_000L));
        assertEquals("494K", HumanNumber.format(494_032L));
        assertEquals("999", HumanNumber.format(999L));
    }
}
