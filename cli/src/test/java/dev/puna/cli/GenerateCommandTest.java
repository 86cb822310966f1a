package dev.puna.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.testkit.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code puna generate} end to end on the scripted model, through picocli as a user would call it. */
class GenerateCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void streamsTheCompletionAndPrintsTimings() throws Exception {
        Path model = TestModels.scripted(dir, GgmlType.Q8_0);
        Run r = run("generate", "--model", model.toString(), "--prompt", "Hello", "--temp", "0", "--ctx", "256");
        assertEquals(0, r.exit(), r.err());
        assertEquals(TestModels.HELLO_COMPLETION + System.lineSeparator(), r.out());
        assertTrue(r.err().contains("prompt: 2 tokens"), r.err());
        assertTrue(r.err().contains("eval: 4 tokens"), r.err());
        assertTrue(r.err().contains("finish: eos"), r.err());
    }

    @Test
    void maxTokensAndStop() throws Exception {
        Path model = TestModels.scripted(dir, GgmlType.F16);
        Run r = run("generate", "-m", model.toString(), "-p", "Count:", "--temp", "0", "--n", "5", "--ctx", "256");
        assertEquals(TestModels.countCompletion(5) + System.lineSeparator(), r.out());
        assertTrue(r.err().contains("finish: length"), r.err());
        Run s = run("generate", "-m", model.toString(), "-p", "Count:", "--temp", "0", "--stop", " three", "--ctx", "256");
        assertEquals(" one two" + System.lineSeparator(), s.out());
        assertTrue(s.err().contains("finish: stop"), s.err());
    }

    @Test
    void missingModelIsAOneLineError() {
        Path missing = dir.resolve("missing.gguf");
        Run r = run("generate", "--model", missing.toString(), "--prompt", "Hello");
        assertEquals(1, r.exit());
        assertEquals("Error: " + missing + ": no such file" + System.lineSeparator(), r.err());
    }

    @Test
    void invalidTemperatureNamesTheParameter() throws Exception {
        Path model = TestModels.scripted(dir, GgmlType.F32);
        Run r = run("generate", "--model", model.toString(), "--prompt", "Hello", "--temp", "NaN");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Error: temperature: "), r.err());
    }

    @Test
    void promptIsRequired() {
        Run r = run("generate");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("Missing required option: '--prompt=TEXT'"), r.err());
    }
}
