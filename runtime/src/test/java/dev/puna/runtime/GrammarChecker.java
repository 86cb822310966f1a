package dev.puna.runtime;

import static dev.puna.bindings.LlamaLayouts.LLAMA_TOKEN_DATA;
import static dev.puna.bindings.LlamaLayouts.LLAMA_TOKEN_DATA_ARRAY;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.testkit.TestModels;
import dev.puna.testkit.Vocabulary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * Runs text through llama.cpp's real grammar engine ({@code llama_sampler_init_grammar}) to see whether a GBNF
 * grammar accepts it, without risking the process: {@code llama_sampler_accept} aborts on a token the grammar
 * forbids, so each byte is first offered alone to {@code llama_sampler_apply} (a forbidden token's logit becomes
 * -inf) and only accepted when allowed.
 *
 * <p>The vocabulary is the scripted test model's (loaded vocab-only), whose 256 byte tokens {@code <0x00>} ..
 * {@code <0xFF>} render as single bytes: any UTF-8 text can be fed byte by byte, and the engine's partial-UTF-8
 * handling sees multi-byte characters arrive in pieces as it would from a real tokenizer. Not thread-safe.
 */
public final class GrammarChecker implements AutoCloseable {
    private static final VarHandle ID = LlamaLayouts.field(LLAMA_TOKEN_DATA, "id");
    private static final VarHandle LOGIT = LlamaLayouts.field(LLAMA_TOKEN_DATA, "logit");
    private static final VarHandle P = LlamaLayouts.field(LLAMA_TOKEN_DATA, "p");
    private static final VarHandle DATA = LlamaLayouts.field(LLAMA_TOKEN_DATA_ARRAY, "data");
    private static final VarHandle SIZE = LlamaLayouts.field(LLAMA_TOKEN_DATA_ARRAY, "size");
    private static final VarHandle SELECTED = LlamaLayouts.field(LLAMA_TOKEN_DATA_ARRAY, "selected");
    private static final VarHandle SORTED = LlamaLayouts.field(LLAMA_TOKEN_DATA_ARRAY, "sorted");

    private final Model model;
    private final Vocabulary vocabulary = TestModels.vocabulary();

    private GrammarChecker(Model model) {
        this.model = model;
    }

    /** Loads the scripted model's vocabulary. */
    public static GrammarChecker open() {
        return new GrammarChecker(Model.load(Models.scripted(), ModelParams.builder().vocabOnly(true).build()));
    }

    /**
     * The outcome of feeding a text.
     *
     * @param parses whether llama.cpp parsed the grammar at all
     * @param rejectedAt the byte offset of the first byte the grammar forbade, or -1
     * @param complete whether the grammar allows the generation to end after the whole text
     */
    public record Result(boolean parses, int rejectedAt, boolean complete) {
        /** The grammar matches the whole text exactly. */
        public boolean accepted() {
            return parses && rejectedAt < 0 && complete;
        }
    }

    /** Whether llama.cpp's parser accepts {@code gbnf} (its reason, if not, goes to stderr). */
    public boolean parses(String gbnf) {
        MemorySegment sampler = init(gbnf);
        if (sampler.equals(MemorySegment.NULL)) {
            return false;
        }
        Llama.llama_sampler_free(sampler);
        return true;
    }

    /** Feeds {@code text} byte by byte, then asks whether the end of generation is allowed. */
    public Result check(String gbnf, String text) {
        MemorySegment sampler = init(gbnf);
        if (sampler.equals(MemorySegment.NULL)) {
            return new Result(false, -1, false);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment candidate = arena.allocate(LLAMA_TOKEN_DATA);
            MemorySegment array = arena.allocate(LLAMA_TOKEN_DATA_ARRAY);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < bytes.length; i++) {
                int token = vocabulary.byteToken(bytes[i] & 0xFF);
                if (!allowed(sampler, candidate, array, token)) {
                    return new Result(true, i, false);
                }
                Llama.llama_sampler_accept(sampler, token);
            }
            return new Result(true, -1, allowed(sampler, candidate, array, Vocabulary.EOS));
        } finally {
            Llama.llama_sampler_free(sampler);
        }
    }

    /** Whether the grammar accepts exactly {@code text}. */
    public boolean accepts(String gbnf, String text) {
        return check(gbnf, text).accepted();
    }

    private static boolean allowed(MemorySegment sampler, MemorySegment candidate, MemorySegment array, int token) {
        ID.set(candidate, token);
        LOGIT.set(candidate, 0f);
        P.set(candidate, 0f);
        DATA.set(array, candidate);
        SIZE.set(array, 1L);
        SELECTED.set(array, -1L);
        SORTED.set(array, false);
        Llama.llama_sampler_apply(sampler, array);
        return (float) LOGIT.get(candidate) != Float.NEGATIVE_INFINITY;
    }

    private MemorySegment init(String gbnf) {
        try (Arena arena = Arena.ofConfined()) {
            return Llama.llama_sampler_init_grammar(model.vocab(), arena.allocateFrom(gbnf), arena.allocateFrom("root"));
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
