package dev.puna.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java layouts and descriptors match the llama.h (and mtmd.h / mtmd-helper.h) that libllama and libmtmd were
 * compiled from, member by member.
 */
class LayoutProbeTest {
    private static List<String> probe;

    private static List<java.lang.foreign.StructLayout> layouts() {
        List<java.lang.foreign.StructLayout> all = new ArrayList<>(LlamaLayouts.all());
        all.addAll(MtmdLayouts.all());
        return all;
    }

    @BeforeAll
    static void runProbe() throws IOException, InterruptedException {
        String exe = System.getProperty("puna.layout.probe");
        assertTrue(exe != null && Files.isExecutable(Path.of(exe)),
                "layout probe not built: " + exe + " (the native module builds it)");
        Process p = new ProcessBuilder(exe).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        probe = out.lines().toList();
    }

    @Test
    void everyStructMemberAndFunctionMatchesTheCompiledHeader() {
        List<String> problems = AbiCheck.compare(probe, layouts(), Native.bindings());
        assertEquals(List.of(), problems, "ABI mismatches with llama.h:\n" + String.join("\n", problems));
    }

    @Test
    void probeCoversEveryStructAndFunction() {
        long structs = probe.stream().filter(l -> l.startsWith("struct ")).count();
        long funcs = probe.stream().filter(l -> l.startsWith("func ")).count();
        assertEquals(layouts().size(), structs);
        assertEquals(Native.bindings().size(), funcs);
    }

    @Test
    void mtmdStructsAreCheckedLikeLlamaStructs() {
        // mtmd_input_text.add_special one byte later, as if mtmd.h had grown a field before it.
        List<String> tampered = new ArrayList<>();
        for (String line : probe) {
            String[] p = line.split(" ");
            if (line.startsWith("field mtmd_input_text add_special ")) {
                tampered.add("field mtmd_input_text add_special " + (Long.parseLong(p[3]) + 1) + " " + p[4]);
            } else if (line.startsWith("func mtmd_tokenize ")) {
                tampered.add("func mtmd_tokenize int32 ptr ptr ptr ptr");
            } else {
                tampered.add(line);
            }
        }
        assertEquals(List.of(
                "field mtmd_input_text.add_special: C offset/size 17/1, Java 16/1",
                "function mtmd_tokenize: C signature (int32 ptr ptr ptr ptr), Java (int32 ptr ptr ptr ptr int64)"),
                AbiCheck.compare(tampered, layouts(), Native.bindings()));
    }

    @Test
    void aMovedFieldIsReportedByName() {
        // The same probe output with llama_context_params.n_threads shifted by 4 bytes, as if llama.h had
        // inserted a field before it: the check must name the field and both offsets.
        List<String> tampered = new ArrayList<>();
        for (String line : probe) {
            String[] p = line.split(" ");
            if (line.startsWith("field llama_context_params n_threads ")) {
                tampered.add("field llama_context_params n_threads " + (Long.parseLong(p[3]) + 4) + " " + p[4]);
            } else {
                tampered.add(line);
            }
        }
        List<String> problems = AbiCheck.compare(tampered, layouts(), Native.bindings());
        assertEquals(1, problems.size(), String.join("\n", problems));
        assertTrue(problems.get(0).startsWith("field llama_context_params.n_threads: C offset/size 32/4, Java 28/4"),
                problems.get(0));
    }

    @Test
    void aChangedSignatureOrNewFieldIsReported() {
        List<String> tampered = new ArrayList<>();
        for (String line : probe) {
            if (line.startsWith("func llama_decode ")) {
                tampered.add("func llama_decode int32 ptr struct56 int32");
            } else if (line.startsWith("struct llama_batch ")) {
                tampered.add(line);
                tampered.add("field llama_batch n_new_field 56 4");
            } else {
                tampered.add(line);
            }
        }
        List<String> problems = AbiCheck.compare(tampered, layouts(), Native.bindings());
        assertEquals(List.of(
                "field llama_batch.n_new_field: in C but missing from the Java layout",
                "function llama_decode: C signature (int32 ptr struct56 int32), Java (int32 ptr struct56)"),
                problems);
    }

    @Test
    void aChangedMacroValueIsReported() {
        List<String> tampered = probe.stream()
                .map(l -> l.startsWith("const LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY ")
                        ? "const LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY 4" : l)
                .toList();
        assertEquals(List.of("constant LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY: C 4, Java 1"),
                AbiCheck.compare(tampered, layouts(), Native.bindings()));
        assertEquals(List.of("constant LLAMA_STATE_SEQ_FLAGS_PARTIAL_ONLY: not checked by the probe (add it to "
                        + "layout_probe.cpp)"),
                AbiCheck.compare(probe.stream().filter(l -> !l.startsWith("const ")).toList(), layouts(),
                        Native.bindings()));
    }
}
