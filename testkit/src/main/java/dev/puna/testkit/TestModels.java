package dev.puna.testkit;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *   <li><b>Fill in the middle</b>: a prompt that ends in the fill-in-the-middle marker {@code <|fim_middle|>}
 *       ({@link Vocabulary#FIM_MIDDLE}) is answered with {@code ▁ok} and then {@code </s>}: {@value #FIM_COMPLETION}.
 * </ul>
 * Every scripted token can be looked up in {@link #vocabulary()}. The first four outputs were checked with
 * llama.cpp's {@code llama-simple} for F32, F16 and Q8_0; the fill-in-the-middle one is checked by the HTTP module's
 * end-to-end tests (F32).
 *
 * <p>The {@linkplain #toolCaller tool-calling model} is a second scripted model for tool calls: see there.
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
    /** What the model generates after {@code <|fim_middle|>} before EOS (1 token: {@code ▁ok}). */
    public static final String FIM_COMPLETION = " ok";

    /**
     * The Hermes-style chat template of the {@linkplain #toolCaller tool-calling model}: ChatML, with the tools listed
     * as JSON in a system turn, assistant tool calls written as
     * {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>} and tool results sent back as a user turn
     * {@code <tool_response>name: content</tool_response>}.
     */
    public static final String TOOL_CHAT_TEMPLATE = """
            {%- if tools %}{{- '<|im_start|>system\\n' }}\
            {%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}\
            {{- '# Tools\\n\\n<tools>' }}{%- for tool in tools %}{{- '\\n' + (tool | tojson) }}{%- endfor %}\
            {{- '\\n</tools>\\n\\nCall a function with <tool_call>{"name": ..., "arguments": {...}}</tool_call>.<|im_end|>\\n' }}\
            {%- elif messages[0].role == 'system' %}{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}\
            {%- endif %}\
            {%- for message in messages %}\
            {%- if message.role == 'user' or (message.role == 'system' and not loop.first) %}\
            {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}\
            {%- elif message.role == 'assistant' %}{{- '<|im_start|>assistant\\n' + message.content }}\
            {%- for call in message.tool_calls %}\
            {{- '<tool_call>{"name": "' + call.function.name + '", "arguments": ' + (call.function.arguments | tojson) + '}</tool_call>' }}\
            {%- endfor %}{{- '<|im_end|>\\n' }}\
            {%- elif message.role == 'tool' %}{{- '<|im_start|>user\\n<tool_response>' }}\
            {%- if message.name is defined %}{{- message.name + ': ' }}{%- endif %}\
            {{- message.content + '</tool_response><|im_end|>\\n' }}\
            {%- endif %}{%- endfor %}\
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}\
            """;
    /** The text the tool-calling model writes before its call (3 tokens: {@code Let ▁me ▁check.}). */
    public static final String TOOL_CONTENT = "Let me check.";
    /** The tool-calling model's call, as it writes it (7 tokens, from {@code <tool_call>} to {@code </tool_call>}). */
    public static final String TOOL_CALL = "<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}"
            + "</tool_call>";
    /** The tool the tool-calling model calls. */
    public static final String TOOL_NAME = "get_weather";
    /** The arguments of its call, as JSON. */
    public static final String TOOL_ARGUMENTS = "{\"city\": \"Oslo\"}";

    private static final List<String> TOOL_SCRIPT = List.of("Let", "▁me", "▁check.", "<tool_call>", "{\"name\":",
            "▁\"get_weather\",", "▁\"arguments\":", "▁{\"city\":", "▁\"Oslo\"}}", "</tool_call>");

    /**
     * The chat template of the {@linkplain #thinker thinking model}: ChatML that writes an assistant turn's
     * {@code reasoning_content} back as {@code <think>...</think>} and, with {@code enable_thinking} false, closes
     * an empty block for the model, as Qwen3's template does.
     */
    public static final String THINK_CHAT_TEMPLATE = """
            {%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' }}\
            {%- if message.reasoning_content is defined %}{{- '<think>' + message.reasoning_content + '</think>' }}\
            {%- endif %}{{- message.content + '<|im_end|>\\n' }}{%- endfor %}\
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}\
            {%- if enable_thinking is defined and not enable_thinking %}{{- '<think></think>' }}{%- endif %}\
            {%- endif %}\
            """;
    /** What the thinking model reasons, between {@code <think>} and {@code </think>} (3 tokens). */
    public static final String THINKING = "Let me think.";
    /** The thinking model's answer after its reasoning (4 tokens), ended by {@code <|im_end|>}. */
    public static final String THOUGHT_ANSWER = "The answer is 4.";

    private static final List<String> THINK_SCRIPT = List.of("<think>", "Let", "▁me", "▁think.", "</think>", "The",
            "▁answer", "▁is", "▁4.");

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

    /** The vocabulary of the {@linkplain #toolCaller tool-calling model}. */
    public static Vocabulary toolVocabulary() {
        Vocabulary.Builder builder = Vocabulary.builder().withoutFim().chatTemplate(TOOL_CHAT_TEMPLATE)
                .words("▁Hello", "▁world", "▁from", "▁Puna", "▁Count:", "▁ok");
        for (String number : NUMBERS) {
            builder.word("▁" + number);
        }
        for (String piece : TOOL_SCRIPT) {
            builder.word(piece);
        }
        return builder.build();
    }

    /**
     * The tool-calling model in {@code dir} ({@code puna-tools-f32.gguf}), written unless a file with exactly these
     * bytes is already there. Its chat template is {@link #TOOL_CHAT_TEMPLATE} (so a tool-call parser reads it as the
     * Hermes format), its vocabulary has no fill-in-the-middle tokens, and it follows these scripts:
     * <ul>
     *   <li><b>Tool call</b>: after a chat prompt (which ends in a newline) it writes {@value #TOOL_CONTENT}
     *       then {@code <tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"}}</tool_call>}
     *       ({@link #TOOL_CALL}) and ends with {@code <|im_end|>}: 10 tokens.
     *   <li><b>Hello</b> and <b>Count</b> as in the scripted model.
     * </ul>
     */
    public static Path toolCaller(Path dir) throws IOException {
        return writeIfChanged(dir.resolve("puna-tools-f32.gguf"), toolCallerModel().toWriter(GgmlType.F32));
    }

    /** The {@linkplain #toolCaller tool-calling model} in memory. */
    public static ScriptedModel toolCallerModel() {
        ScriptedModel.Builder builder = ScriptedModel.builder(toolVocabulary()).name("puna-tools");
        builder.chain("▁Hello", "▁world", "▁from", "▁Puna", "!", "</s>");
        countScript(builder, -1);
        List<String> chain = new ArrayList<>();
        chain.add("<0x0A>");
        chain.addAll(TOOL_SCRIPT);
        chain.add("<|im_end|>");
        return builder.chain(chain.toArray(String[]::new)).build();
    }

    /**
     * The thinking model in {@code dir} ({@code puna-thinker-f32.gguf}), written unless a file with exactly these
     * bytes is already there. Its chat template is {@link #THINK_CHAT_TEMPLATE}; after a chat prompt (which ends in
     * a newline) it writes {@code <think>}{@value #THINKING}{@code </think>}{@value #THOUGHT_ANSWER} and ends
     * with {@code <|im_end|>} (10 tokens); after {@code <think>} alone (a prompt that opened the block) it
     * continues from {@value #THINKING}. Hello and Count as in the scripted model.
     */
    public static Path thinker(Path dir) throws IOException {
        return writeIfChanged(dir.resolve("puna-thinker-f32.gguf"), thinkerModel().toWriter(GgmlType.F32));
    }

    /** The {@linkplain #thinker thinking model} in memory. */
    public static ScriptedModel thinkerModel() {
        Vocabulary.Builder vocabulary = Vocabulary.builder().withoutFim().chatTemplate(THINK_CHAT_TEMPLATE)
                .words("▁Hello", "▁world", "▁from", "▁Puna", "▁Count:", "▁ok");
        for (String number : NUMBERS) {
            vocabulary.word("▁" + number);
        }
        for (String piece : THINK_SCRIPT) {
            vocabulary.word(piece);
        }
        ScriptedModel.Builder builder = ScriptedModel.builder(vocabulary.build()).name("puna-thinker");
        builder.chain("▁Hello", "▁world", "▁from", "▁Puna", "!", "</s>");
        countScript(builder, -1);
        List<String> chain = new ArrayList<>();
        chain.add("<0x0A>");
        chain.addAll(THINK_SCRIPT);
        chain.add("<|im_end|>");
        return builder.chain(chain.toArray(String[]::new)).build();
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

    /**
     * The scripted model with a mixture-of-experts feed-forward (4 experts, 2 used per token; {@link
     * ScriptedModel.Builder#experts}), as Q8_0 in {@code dir}: the same scripts, so the same greedy output, written
     * unless a file with exactly these bytes is there.
     *
     * @return the file, {@code dir/puna-scripted-moe-q8_0.gguf}
     */
    public static Path scriptedMoe(Path dir) throws IOException {
        ScriptedModel model = scripts(ScriptedModel.builder(vocabulary())).name("puna-scripted-moe").experts(4, 2)
                .build();
        return writeIfChanged(dir.resolve("puna-scripted-moe-q8_0.gguf"), model.toWriter(GgmlType.Q8_0));
    }

    /**
     * What the scripted model answers {@link #HELLO_PROMPT} with the {@linkplain #scriptedLora LoRA adapter} at
     * scale 1: {@code ▁world} is followed by {@code ▁Puna} instead of {@code ▁from}.
     */
    public static final String HELLO_LORA_COMPLETION = " world Puna!";

    /**
     * A LoRA adapter for the {@linkplain #scripted scripted model} that changes its answer to {@link #HELLO_PROMPT}
     * from {@value #HELLO_COMPLETION} to {@value #HELLO_LORA_COMPLETION} (see {@link ScriptedLora}).
     *
     * @return the file, {@code dir/puna-scripted-lora.gguf}
     */
    public static Path scriptedLora(Path dir) throws IOException {
        return writeIfChanged(dir.resolve("puna-scripted-lora.gguf"),
                ScriptedLora.rescript(scriptedModel(), "▁world", "▁Puna"));
    }

    /**
     * The chat template of the {@linkplain #counter counting model}: ChatML whose generation prompt ends in
     * {@code ▁Count:}, so that every chat is answered by counting, for as long as the caller lets it.
     */
    public static final String COUNTER_CHAT_TEMPLATE = Vocabulary.CHAT_TEMPLATE.replace(
            "'<|im_start|>assistant\\n'", "'<|im_start|>assistant\\n Count:'");

    /**
     * The scripted model (F32) with {@link #COUNTER_CHAT_TEMPLATE}: every chat answer is {@code " one two three ..."}
     * ({@link #countCompletion}) without end, which chat-shaped tests of cancellation and token limits need.
     */
    public static Path counter(Path dir) throws IOException {
        Vocabulary.Builder vocabulary = Vocabulary.builder().chatTemplate(COUNTER_CHAT_TEMPLATE)
                .words("▁Hello", "▁world", "▁from", "▁Puna", "▁Count:", "▁Emoji:", "▁ok", "Hi", "▁there!")
                .words("▁user", "▁assistant", "▁system");
        for (String number : NUMBERS) {
            vocabulary.word("▁" + number);
        }
        ScriptedModel model = scripts(ScriptedModel.builder(vocabulary.build())).name("puna-counter").build();
        return writeIfChanged(dir.resolve("puna-counter-f32.gguf"), model.toWriter(GgmlType.F32));
    }

    /**
     * The reranker in {@code dir} ({@code puna-reranker-f32.gguf}), written unless a file with exactly these bytes is
     * already there: a Qwen3-architecture model with rank pooling over the {@linkplain #vocabulary scripted
     * vocabulary}, whose scores {@link RerankerModel#score} computes (see there).
     */
    public static Path reranker(Path dir) throws IOException {
        return writeIfChanged(dir.resolve("puna-reranker-f32.gguf"), rerankerModel().toWriter());
    }

    /** The {@linkplain #reranker reranker} in memory, for its expected {@link RerankerModel#score scores}. */
    public static RerankerModel rerankerModel() {
        return RerankerModel.of(vocabulary(), "puna-reranker", 0x5EED);
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
        return randomModel(dir, "puna-bench-q8_0.gguf", RandomModel.bench());
    }

    /**
     * The {@linkplain SlidingWindowModel#bench() checkpoint benchmark's model} in {@code dir}, written unless a
     * complete one is there (checked by its {@code general.name}).
     */
    public static Path swaBenchModel(Path dir) throws IOException {
        Path file = dir.resolve("puna-swa-bench-q8_0.gguf");
        SlidingWindowModel model = SlidingWindowModel.bench();
        if (!model.name().equals(readName(file).orElse(null))) {
            Files.createDirectories(dir);
            model.write(file);
        }
        return file;
    }

    /** The {@linkplain RandomModel#gpuBench() GPU benchmark model} (about 3.4 GiB) in {@code dir}, as above. */
    public static Path gpuBenchModel(Path dir) throws IOException {
        return randomModel(dir, "puna-gpu-bench-q8_0.gguf", RandomModel.gpuBench());
    }

    /** The {@linkplain RandomModel#gpuMoeBench() GPU mixture-of-experts model} (about 3.6 GiB) in {@code dir}. */
    public static Path gpuMoeBenchModel(Path dir) throws IOException {
        return randomModel(dir, "puna-gpu-moe-bench-q8_0.gguf", RandomModel.gpuMoeBench());
    }

    /**
     * An F32 model with random weights, big enough (about 120 MiB: vocabulary 4096, 8 layers, embedding 512,
     * feed-forward 1536) that quantizing it to a k-quant takes seconds, for tests that cancel a quantization
     * while it runs. Generated in {@code dir} unless a complete one is there.
     */
    public static Path quantizable(Path dir) throws IOException {
        return randomModel(dir, "puna-quantizable-f32.gguf",
                new RandomModel(4096, 8, 512, 1536, 8, 8, GgmlType.F32, 7));
    }

    /**
     * {@code model} as {@code dir/fileName}, generated unless one with the same {@code general.name} (which spells
     * out every parameter) is there.
     */
    public static Path randomModel(Path dir, String fileName, RandomModel model) throws IOException {
        Path file = dir.resolve(fileName);
        if (!model.name().equals(readName(file).orElse(null))) {
            Files.createDirectories(dir);
            model.write(file);
        }
        return file;
    }

    /**
     * The speculative-decoding benchmark's target: the scripted model's scripts in a model of about 0.8 B
     * parameters (embedding 2048, 16 layers, feed-forward 5632, 16 heads; Q8_0, about 0.9 GB), so decoding it is
     * bound by memory bandwidth like a real model of that size, while {@link #scripted the scripted model} (same
     * vocabulary, same scripts, 0.3 MB) drafts for it with full acceptance. Written unless a complete one is there
     * (checked by its {@code general.name}).
     */
    public static Path scriptedBenchTarget(Path dir) throws IOException {
        Path file = dir.resolve("puna-scripted-2048x16-q8_0.gguf");
        String name = "puna-scripted-2048x16";
        if (!name.equals(readName(file).orElse(null))) {
            Files.createDirectories(dir);
            scripts(ScriptedModel.builder(vocabulary())).name(name).shape(2048, 16, 5632, 16).build()
                    .write(file, GgmlType.Q8_0);
        }
        return file;
    }

    /**
     * The scripted model's scripts in llama.cpp's Mamba architecture ({@link ScriptedMamba}: embedding 64, 2 layers,
     * state 16, F32), in {@code dir}: a recurrent model with the scripted model's greedy output, written unless a
     * file with exactly these bytes is there.
     *
     * @return the file, {@code dir/puna-scripted-mamba-f32.gguf}
     */
    public static Path scriptedMamba(Path dir) throws IOException {
        return writeIfChanged(dir.resolve("puna-scripted-mamba-f32.gguf"),
                new ScriptedMamba(scriptedModel(), 2, 16, 4, "puna-scripted-mamba").toWriter(GgmlType.F32));
    }

    /**
     * The speculative-decoding benchmark's recurrent target: the scripted model's scripts in a Mamba model of about
     * 0.84 B parameters (width 2048, inner 4096, 32 layers, state 16, time-step rank 128; Q8_0, about 0.9 GB), which,
     * like {@link #scriptedBenchTarget}, decodes at the speed memory bandwidth allows a real model of its size, with
     * a real recurrent state. Written unless a complete one is there (checked by its {@code general.name}).
     */
    public static Path scriptedMambaBenchTarget(Path dir) throws IOException {
        Path file = dir.resolve("puna-scripted-mamba-2048x32-q8_0.gguf");
        String name = "puna-scripted-mamba-2048x32";
        if (!name.equals(readName(file).orElse(null))) {
            Files.createDirectories(dir);
            ScriptedModel script = scripts(ScriptedModel.builder(vocabulary())).shape(2048, 1, 32, 16).build();
            new ScriptedMamba(script, 32, 16, 128, name).write(file, GgmlType.Q8_0);
        }
        return file;
    }

    /**
     * The scripted model (F32, in {@code dir}) with one step of its count off the script: {@code ▁five} is followed
     * by {@code ▁seven}. As a draft for a scripted model it is right nine steps of ten, then wrong
     * from {@code ▁five} on until the target's {@code ▁six} sets it right: a draft that is partly rejected in every
     * round of the count. Written unless a file with exactly these bytes is there.
     *
     * @return the file, {@code dir/puna-scripted-off-f32.gguf}
     */
    public static Path offScript(Path dir) throws IOException {
        ScriptedModel model = scripts(ScriptedModel.builder(vocabulary()), NUMBERS.indexOf("five"))
                .name("puna-scripted-off").build();
        return writeIfChanged(dir.resolve("puna-scripted-off-f32.gguf"), model.toWriter(GgmlType.F32));
    }

    /**
     * The image projector for the scripted models ({@link RandomProjector#forScriptedModel()}) in {@code dir}
     * ({@code puna-scripted-mmproj-f32.gguf}), written unless a file with exactly these bytes is already there.
     * Loaded with any of the scripted models (embedding length {@value ScriptedModel#EMBEDDING_LENGTH}), it turns
     * every image into {@code 16} embeddings.
     */
    public static Path scriptedProjector(Path dir) throws IOException {
        return writeIfChanged(dir.resolve("puna-scripted-mmproj-f32.gguf"), RandomProjector.forScriptedModel().toWriter());
    }

    /**
     * A model that really looks at its images: random weights with live attention (vocabulary 512, 2 layers,
     * embedding {@value ScriptedModel#EMBEDDING_LENGTH}, 4 heads, F32, about 0.5 MiB), so the text after an image
     * depends on the image, which the scripted models' zero attention cannot show. It takes the
     * {@linkplain #scriptedProjector scripted projector}. Its output is deterministic noise; generated in
     * {@code dir} unless it is there.
     */
    public static Path randomVisionModel(Path dir) throws IOException {
        return randomModel(dir, "puna-random-vision-f32.gguf",
                new RandomModel(512, 2, ScriptedModel.EMBEDDING_LENGTH, 128, 4, 4, GgmlType.F32, 11));
    }

    /** The model the CLI serves when given none: the Q8_0 scripted model, cached in {@code cacheDir}. */
    public static Path demo(Path cacheDir) throws IOException {
        return scripted(cacheDir, GgmlType.Q8_0);
    }

    private static ScriptedModel.Builder scripts(ScriptedModel.Builder builder) {
        return scripts(builder, -1);
    }

    /** The scripts, with {@code NUMBERS[skip]} followed by the number after next when {@code skip >= 0}. */
    private static ScriptedModel.Builder scripts(ScriptedModel.Builder builder, int skip) {
        builder.chain("▁Hello", "▁world", "▁from", "▁Puna", "!", "</s>");
        countScript(builder, skip);
        builder.chain("▁Emoji:", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁ok", "</s>");
        builder.chain("<0x0A>", "Hi", "▁there!", "<|im_end|>");
        builder.chain("<|fim_middle|>", "▁ok");
        return builder;
    }

    private static void countScript(ScriptedModel.Builder builder, int skip) {
        builder.chain("▁Count:", "▁one");
        for (int i = 0; i < NUMBERS.size(); i++) {
            int next = (i + (i == skip ? 2 : 1)) % NUMBERS.size();
            builder.chain("▁" + NUMBERS.get(i), "▁" + NUMBERS.get(next));
        }
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
