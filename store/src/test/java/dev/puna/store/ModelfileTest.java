package dev.puna.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.store.Modelfile.Command;
import dev.puna.store.Modelfile.Keyword;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelfileTest {
    private static final Digest D1 = Digest.parse("sha256:" + "1".repeat(64));

    @Test
    void parsesEveryCommandCaseInsensitively() {
        Modelfile mf = Modelfile.parse("""
                # a comment
                from llama3.2
                Parameter temperature 0.7
                PARAMETER stop <|im_end|>
                PARAMETER stop "<|eot|>"
                template {{ .Prompt }}
                SYSTEM You are terse.
                adapter ./lora.gguf
                LICENSE MIT
                MESSAGE user Hello
                MESSAGE assistant Hi there
                """);
        assertEquals(List.of(
                new Command(Keyword.FROM, null, "llama3.2", 2),
                new Command(Keyword.PARAMETER, "temperature", "0.7", 3),
                new Command(Keyword.PARAMETER, "stop", "<|im_end|>", 4),
                new Command(Keyword.PARAMETER, "stop", "<|eot|>", 5),
                new Command(Keyword.TEMPLATE, null, "{{ .Prompt }}", 6),
                new Command(Keyword.SYSTEM, null, "You are terse.", 7),
                new Command(Keyword.ADAPTER, null, "./lora.gguf", 8),
                new Command(Keyword.LICENSE, null, "MIT", 9),
                new Command(Keyword.MESSAGE, "user", "Hello", 10),
                new Command(Keyword.MESSAGE, "assistant", "Hi there", 11)), mf.commands());
        assertEquals("llama3.2", mf.from());
    }

    @Test
    void quotedValuesSpanLines() {
        Modelfile mf = Modelfile.parse("FROM m\nTEMPLATE \"\"\"{{ if .System }}\"system\"\n{{ end }}\"\"\"\n"
                + "SYSTEM \"line one\nline two\"\nPARAMETER stop \" \"\nLICENSE \"\"\"\n  indented\n\"\"\"\n"
                + "SYSTEM   spaced value   \n");
        List<Command> c = mf.commands();
        assertEquals("{{ if .System }}\"system\"\n{{ end }}", c.get(1).value());
        assertEquals(2, c.get(1).line());
        assertEquals("line one\nline two", c.get(2).value());
        assertEquals(4, c.get(2).line());
        assertEquals(" ", c.get(3).value());
        assertEquals("\n  indented\n", c.get(4).value());
        assertEquals("spaced value", c.get(5).value());
        assertEquals(10, c.get(5).line());
    }

    @Test
    void windowsLineEndingsAndBomAreAccepted() {
        Modelfile mf = Modelfile.parse("\uFEFFFROM m\r\nSYSTEM \"\"\"a\r\nb\"\"\"\r\n");
        assertEquals("a\nb", mf.commands().get(1).value());
    }

    @Test
    void errorsNameTheLine() {
        ModelfileException unknownCommand = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM m\n\nPARAM temperature 1\n"));
        assertEquals(3, unknownCommand.line());
        assertTrue(unknownCommand.getMessage().startsWith("(line 3): unknown command 'PARAM'"),
                unknownCommand.getMessage());

        ModelfileException unknownParameter = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM m\nPARAMETER temprature 1\n"));
        assertEquals("(line 2): unknown parameter 'temprature'", unknownParameter.getMessage());
        assertEquals(400, unknownParameter.httpStatus());

        ModelfileException badValue = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM m\nPARAMETER num_ctx lots\n"));
        assertEquals(2, badValue.line());

        ModelfileException role = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM m\nMESSAGE robot hi\n"));
        assertEquals(2, role.line());
        assertTrue(role.getMessage().contains("message role"));

        ModelfileException unterminated = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM m\n\nSYSTEM \"\"\"never\nclosed\n"));
        assertEquals(3, unterminated.line());

        ModelfileException noFrom = assertThrows(ModelfileException.class, () -> Modelfile.parse("SYSTEM x\n"));
        assertEquals("no FROM line", noFrom.getMessage());

        ModelfileException noValue = assertThrows(ModelfileException.class, () -> Modelfile.parse("FROM\n"));
        assertEquals(1, noValue.line());

        assertThrows(ModelfileException.class, () -> Modelfile.parse("FROM m\nFROM2 x\n"));
    }

    @Test
    void renderingRoundTrips() {
        List<Command> commands = List.of(
                Command.of(Keyword.FROM, null, "/models/blobs/sha256-abc"),
                Command.of(Keyword.TEMPLATE, null, "{{ .System }}\n\"quoted\"\n{{ .Prompt }}"),
                Command.of(Keyword.SYSTEM, null, " leading space"),
                Command.of(Keyword.PARAMETER, "stop", "<|im_end|>"),
                Command.of(Keyword.PARAMETER, "temperature", "0.7"),
                Command.of(Keyword.LICENSE, null, "line1\nline2"),
                Command.of(Keyword.MESSAGE, "user", "\"starts with a quote"));
        String text = Modelfile.of(commands).render();
        assertTrue(text.contains("TEMPLATE \"\"\"{{ .System }}\n\"quoted\"\n{{ .Prompt }}\"\"\"\n"), text);
        assertTrue(text.contains("SYSTEM \" leading space\"\n"), text);
        assertTrue(text.contains("PARAMETER stop <|im_end|>\n"), text);
        assertTrue(text.contains("LICENSE \"line1\nline2\"\n"), text);
        List<Command> back = new ArrayList<>();
        for (Command c : Modelfile.parse(text).commands()) {
            back.add(Command.of(c.keyword(), c.name(), c.value()));
        }
        assertEquals(commands, back);
    }

    @Test
    void toCreateRequestUploadsFilesAndTypesParameters(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("model.gguf"), "x");
        Files.writeString(dir.resolve("lora.gguf"), "y");
        List<Path> uploaded = new ArrayList<>();
        Modelfile mf = Modelfile.parse("""
                FROM ./model.gguf
                ADAPTER lora.gguf
                PARAMETER stop a
                PARAMETER stop b
                PARAMETER num_ctx 4096
                PARAMETER temperature 0.5
                PARAMETER penalize_newline true
                MESSAGE user hi
                LICENSE one
                LICENSE two
                """);
        CreateRequest req = mf.toCreateRequest("me/tiny", dir, file -> {
            uploaded.add(file);
            return D1;
        });
        assertEquals(List.of(dir.resolve("model.gguf"), dir.resolve("lora.gguf")), uploaded);
        assertNull(req.from());
        assertEquals(Map.of("model.gguf", D1), req.files());
        assertEquals(Map.of("lora.gguf", D1), req.adapters());
        assertEquals(Map.of("stop", List.of("a", "b"), "num_ctx", 4096L, "temperature", 0.5), req.parameters());
        assertEquals(List.of(new Message("user", "hi")), req.messages());
        assertEquals(List.of("one", "two"), req.license());
    }

    @Test
    void twoFromLinesGiveTheModelAndItsProjector(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        Files.writeString(dir.resolve("a/model.gguf"), "x");
        Files.writeString(dir.resolve("b/model.gguf"), "y");
        Files.writeString(dir.resolve("mmproj.gguf"), "z");
        CreateRequest req = Modelfile.parse("FROM a/model.gguf\nFROM mmproj.gguf\n").toCreateRequest("x", dir, f -> D1);
        assertEquals(Map.of("model.gguf", D1, "mmproj.gguf", D1), req.files());
        // The same file name twice (two directories) keeps both.
        CreateRequest same = Modelfile.parse("FROM a/model.gguf\nFROM b/model.gguf\n").toCreateRequest("x", dir,
                f -> D1);
        assertEquals(java.util.Set.of("model.gguf", "model-2.gguf"), same.files().keySet());
        // As a client sends it: two uploaded blobs.
        CreateRequest sent = Modelfile.parse("FROM @" + D1 + "\nFROM @" + D1 + "\n").toCreateRequest("x");
        assertEquals(java.util.Set.of("model.gguf", "model-2.gguf"), sent.files().keySet());
    }

    @Test
    void fromAModelNameOrAMissingFile(@TempDir Path dir) throws IOException {
        CreateRequest byName = Modelfile.parse("FROM llama3.2:1b\nSYSTEM s\n").toCreateRequest("x", dir,
                f -> { throw new AssertionError("nothing to upload"); });
        assertEquals("llama3.2:1b", byName.from());
        assertEquals("s", byName.system());
        ModelfileException missing = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM ./missing.gguf\n").toCreateRequest("x", dir, f -> D1));
        assertTrue(missing.getMessage().contains("FROM file not found"), missing.getMessage());
        assertEquals(1, missing.line());
    }

    @Test
    void aModelfileSentToTheServerNamesBlobsNotPaths() {
        CreateRequest req = Modelfile.parse("FROM @" + D1 + "\nADAPTER @" + D1 + "\nTEMPLATE t\nPARAMETER stop a\n"
                + "PARAMETER stop b\n").toCreateRequest("me/x");
        assertNull(req.from());
        assertEquals(Map.of("model.gguf", D1), req.files());
        assertEquals(Map.of("adapter.gguf", D1), req.adapters());
        assertEquals("t", req.template());
        assertEquals(Map.of("stop", List.of("a", "b")), req.parameters());
        assertEquals("llama3.2:1b", Modelfile.parse("FROM llama3.2:1b").toCreateRequest("x").from());
        for (String bad : List.of("FROM /etc/passwd", "FROM ../model.gguf", "FROM ~/m.gguf", "FROM x\nADAPTER lora")) {
            ModelfileException e = assertThrows(ModelfileException.class,
                    () -> Modelfile.parse(bad).toCreateRequest("x"), bad);
            assertTrue(e.getMessage().contains("the server does not read files a client names"), e.getMessage());
            assertEquals(bad.contains("ADAPTER") ? 2 : 1, e.line(), bad);
        }
        ModelfileException digest = assertThrows(ModelfileException.class,
                () -> Modelfile.parse("FROM @sha256:../../x").toCreateRequest("x"));
        assertEquals("(line 1): FROM @sha256:../../x: invalid digest 'sha256:../../x': expected sha256:<64 lowercase "
                + "hex digits>", digest.getMessage());
    }
}
