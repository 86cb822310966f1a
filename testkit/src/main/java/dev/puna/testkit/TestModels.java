package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The standard generated models tests, demos and benchmarks share.
 *
 * <p>The {@linkplain #scripted scripted model} follows these scripts under greedy decoding (BOS is added to every
 * prompt, and llama.cpp's SPM tokenizer puts a space before the prompt text):
 * <ul>
 *   <li><b>Hello</b>: prompt {@value #HELLO_PROMPT} is {@code [<s>, ▁Hello]}; the model continues
 *       {@code ▁world ▁from ▁Puna !} and then {@code </s>}, i.e. {@value #HELLO_COMPLETION} and stop.
 *   <li><b>Count</b>: prompt {@value #COUNT_PROMPT} is {@code [<s>, ▁Count:]}; the model counts
 *       {@code ▁one ▁two .. ▁ten} and then starts over at {@code ▁one}, forever: for max-token and stop-string
 *       tests. {@link #countCompletion(int)} gives the text of the first tokens.
 *   <li><b>Emoji</b>: prompt {@value #EMOJI_PROMPT} is {@code [<s>, ▁Emoji:]}; the model continues with the byte
 *       tokens {@code <0xF0> <0x9F> <0x98> <0x80>} (the UTF-8 of U+1F600), then {@code ▁ok}, then {@code </s>}:
 *       {@value #EMOJI_COMPLETION}. A streaming detokenizer must hold back the first three bytes.
 *   <li><b>Chat</b>: a prompt rendered with {@link Vocabulary#CHAT_TEMPLATE} and a generation prompt ends in
 *       {@code <|im_start|> ▁assistant <0x0A>}; after the newline byte token the model says {@code Hi ▁there!} and
 *       then {@code <|im_end|>} (an end-of-generation token): {@value #CHAT_COMPLETION}. Any prompt that ends in a
 *       newline gets this answer.
 * </ul>
 * Every scripted token can be looked up in {@link #vocabulary()}. These outputs were checked with llama.cpp's
 * {@code llama-simple} for F32, F16 and Q8_0.
 */
public final class TestModels {
    /** The prompt of the Hello script. */
    public static final String HELLO_PROMPT = "Hello";
    /**
     * What the model generates for {@link #HELLO_PROMPT} before EOS (4 tokens), as the concatenation of each
     * token's piece ({@code llama_token_to_piece}, as streaming renders it). Note that {@code llama_detokenize} of
     * these tokens alone drops the leading space: for SPM vocabularies it strips the first piece's space.
     */
    public static final String HELLO_COMPLETION = " world from Puna!";
    /** The prompt of the Count script. */
    public static final String COUNT_PROMPT = "Count:";
    /** The prompt of the Emoji script. */
    public static final String EMOJI_PROMPT = "Emoji:";
    /** What the model generates for {@link #EMOJI_PROMPT} before EOS (5 tokens: four bytes, then " ok"). */
    public static final String EMOJI_COMPLETION = "\uD83D\uDE00 ok";
    /** The assistant's answer to any chat (2 tokens: {@code Hi ▁there!}), before {@code <|im_end|>}. */
    public static final String CHAT_COMPLETION = "Hi there!";

    private static final List<String> NUMBERS =
            List.of("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten");

    private TestModels() {
    }

    /** The vocabulary of the scripted model. */
    public static Vocabulary vocabulary() {
        Vocabulary.Builder builder = Vocabulary.builder()
                .words("▁Hello", "▁world", "▁from", "▁Puna", "▁Count:", "▁Emoji:", "▁ok", "Hi", "▁there!")
                .words("▁user", "▁assistant", "▁system");
        for (String number : NUMBERS) {
            builder.word("▁" + number);
        }
        return builder.build();
    }

    /** The scripted model in memory, e.g. for its {@link ScriptedModel#embedding embeddings}. */
    public static ScriptedModel scriptedModel() {
        return scripts(ScriptedModel.builder(vocabulary())).build();
    }

    /** The text of the first {@code tokens} tokens the model generates for {@link #COUNT_PROMPT}: " one two ...". */
    public static String countCompletion(int tokens) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens; i++) {
            text.append(' ').append(NUMBERS.get(i % NUMBERS.size()));
        }
        return text.toString();
    }

    /**
     * The scripted model as {@code type} (F32, F16 or Q8_0) in {@code dir}, written unless a file with exactly
     * these bytes is already there.
     *
     * @return the file, {@code dir/puna-scripted-<type>.gguf}
     */
    public static Path scripted(Path dir, GgmlType type) throws IOException {
        return writeIfChanged(dir.resolve("puna-scripted-" + type.name().toLowerCase(Locale.ROOT) + ".gguf"),
                scriptedModel().toWriter(type));
    }

    /** A copy of the F32 scripted model whose {@code general.architecture} llama.cpp does not know. */
    public static Path unknownArchitecture(Path dir) throws IOException {
        ScriptedModel model = scripts(ScriptedModel.builder(vocabulary()))
                .architecture("puna-unknown")
                .name("puna-unknown-architecture")
                .build();
        return writeIfChanged(dir.resolve("puna-unknown-architecture.gguf"), model.toWriter(GgmlType.F32));
    }

    /**
     * The {@linkplain RandomModel#bench() benchmark model} (about 126 MiB) in {@code dir}, generated unless a
     * complete one is already there (generating takes seconds, comparing bytes would too).
     */
    public static Path benchModel(Path dir) throws IOException {
        Path file = dir.resolve("puna-bench-q8_0.gguf");
        RandomModel model = RandomModel.bench();
        if (!model.name().equals(readName(file).orElse(null))) {
            Files.createDirectories(dir);
            model.write(file);
        }
        return file;
    }

    /** The model the CLI serves when given none: the Q8_0 scripted model, cached in {@code cacheDir}. */
    public static Path demo(Path cacheDir) throws IOException {
        return scripted(cacheDir, GgmlType.Q8_0);
    }

    private static ScriptedModel.Builder scripts(ScriptedModel.Builder builder) {
        builder.chain("▁Hello", "▁world", "▁from", "▁Puna", "!", "</s>");
        builder.chain("▁Count:", "▁one");
        for (int i = 0; i < NUMBERS.size(); i++) {
            builder.chain("▁" + NUMBERS.get(i), "▁" + NUMBERS.get((i + 1) % NUMBERS.size()));
        }
        builder.chain("▁Emoji:", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁ok", "</s>");
        builder.chain("<0x0A>", "Hi", "▁there!", "<|im_end|>");
        return builder;
    }

    private static Optional<String> readName(Path file) {
        try {
            return GgufFile.read(file).getString("general.name");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Path writeIfChanged(Path file, GgufWriter writer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.write(bytes);
        if (!Files.isRegularFile(file) || !Arrays.equals(Files.readAllBytes(file), bytes.toByteArray())) {
            Files.createDirectories(file.toAbsolutePath().getParent());
            writer.write(file);
        }
        return file;
    }
}
