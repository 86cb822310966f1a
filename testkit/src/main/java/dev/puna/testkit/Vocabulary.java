package dev.puna.testkit;

import dev.puna.gguf.GgufWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A SentencePiece-style ({@code tokenizer.ggml.model = "llama"}) vocabulary that llama.cpp tokenizes the way tests
 * expect.
 *
 * <p>Every vocabulary starts with the same tokens: {@link #UNK}, {@link #BOS}, {@link #EOS}, the ChatML and
 * fill-in-the-middle control tokens ({@link #IM_START} to {@link #FILE_SEP}), the 256 byte tokens {@code <0x00>} to
 * {@code <0xFF>} ({@link #byteToken}), then {@value #SPACE} (SentencePiece's space) and every printable ASCII
 * character but the space itself (SentencePiece text never contains one) as single-character tokens; word pieces
 * follow.
 *
 * <p>llama.cpp's SPM tokenizer starts from single characters and repeatedly merges the adjacent pair whose
 * concatenation is a token with the highest score, so a piece only comes out whole if each of its prefixes is a
 * token too. {@link Builder#word} therefore adds a piece together with all its prefixes, scoring longer pieces
 * higher. The tokenizer also prepends a space to text (after BOS and after every special token), so "Hello" becomes
 * the piece "▁Hello"; characters without a token become byte tokens ("\n" is {@code <0x0A>}).
 *
 * <p>By default the fill-in-the-middle ids are written to the GGUF metadata and the chat template is
 * {@link #CHAT_TEMPLATE}; {@link Builder#withoutFim()} and {@link Builder#chatTemplate(String)} change that for models
 * that test other situations.
 *
 * <p>Instances are immutable.
 */
public final class Vocabulary {
    /** The unknown token {@code <unk>}. */
    public static final int UNK = 0;
    /** The beginning-of-sequence token {@code <s>}, added before every prompt. */
    public static final int BOS = 1;
    /** The end-of-sequence token {@code </s>}. */
    public static final int EOS = 2;
    /** ChatML's {@code <|im_start|>}. */
    public static final int IM_START = 3;
    /** ChatML's {@code <|im_end|>}; llama.cpp treats it as an end-of-generation token by its text. */
    public static final int IM_END = 4;
    /** The fill-in-the-middle prefix marker {@code <|fim_prefix|>}. */
    public static final int FIM_PREFIX = 5;
    /** The fill-in-the-middle suffix marker {@code <|fim_suffix|>}. */
    public static final int FIM_SUFFIX = 6;
    /** The fill-in-the-middle marker {@code <|fim_middle|>} after which the middle is generated. */
    public static final int FIM_MIDDLE = 7;
    /** The fill-in-the-middle padding token {@code <|fim_pad|>}. */
    public static final int FIM_PAD = 8;
    /** The repository file separator {@code <|file_sep|>}. */
    public static final int FILE_SEP = 9;
    /** SentencePiece's visible space (U+2581), which stands for ' ' in pieces. */
    public static final String SPACE = "\u2581";
    /** A ChatML chat template ({@code tokenizer.chat_template}), as Jinja. */
    public static final String CHAT_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static final List<String> CONTROL_TOKENS = List.of("<s>", "</s>", "<|im_start|>", "<|im_end|>",
            "<|fim_prefix|>", "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|file_sep|>");
    private static final int FIRST_BYTE_TOKEN = 1 + CONTROL_TOKENS.size();

    private final List<String> pieces;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final boolean fim;
    private final String chatTemplate;

    private Vocabulary(Builder builder) {
        pieces = List.copyOf(builder.pieces);
        scores = new float[pieces.size()];
        types = new TokenType[pieces.size()];
        for (int id = 0; id < pieces.size(); id++) {
            scores[id] = builder.scores.get(id);
            types[id] = builder.types.get(id);
        }
        ids = Map.copyOf(builder.ids);
        fim = builder.fim;
        chatTemplate = builder.chatTemplate;
    }

    /** Whether the vocabulary has fill-in-the-middle tokens (see {@link Builder#withoutFim()}). */
    public boolean hasFim() {
        return fim;
    }

    /** The chat template written as {@code tokenizer.chat_template}. */
    public String chatTemplate() {
        return chatTemplate;
    }

    /** A builder holding the fixed leading tokens described in the class documentation. */
    public static Builder builder() {
        return new Builder();
    }

    /** The number of tokens. */
    public int size() {
        return pieces.size();
    }

    /** The text of token {@code id}, e.g. {@code "▁Hello"} or {@code "<0x0A>"}. */
    public String piece(int id) {
        return pieces.get(id);
    }

    /** Every token's text, in id order. */
    public List<String> pieces() {
        return pieces;
    }

    /** The type of token {@code id}. */
    public TokenType type(int id) {
        return types[id];
    }

    /** The merge score of token {@code id}: higher merges first. */
    public float score(int id) {
        return scores[id];
    }

    /** Whether {@code piece} is a token. */
    public boolean contains(String piece) {
        return ids.containsKey(piece);
    }

    /**
     * The id of the token whose text is {@code piece}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public int id(String piece) {
        Integer id = ids.get(piece);
        if (id == null) {
            throw new IllegalArgumentException("'%s' is not in the vocabulary".formatted(piece));
        }
        return id;
    }

    /** The id of the byte token for {@code value} (0 to 255), e.g. {@code <0x0A>} for a newline. */
    public int byteToken(int value) {
        if (value < 0 || value > 0xFF) {
            throw new IllegalArgumentException("not a byte: " + value);
        }
        return FIRST_BYTE_TOKEN + value;
    }

    /** Puts every {@code tokenizer.*} key llama.cpp reads for this vocabulary, the chat template included. */
    public void writeTo(GgufWriter writer) {
        int[] typeIds = new int[types.length];
        for (int id = 0; id < types.length; id++) {
            typeIds[id] = types[id].id();
        }
        writer.putString("tokenizer.ggml.model", "llama")
                .putString("tokenizer.ggml.pre", "default")
                .putStringArray("tokenizer.ggml.tokens", pieces)
                .putFloat32Array("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", typeIds)
                .putUInt32("tokenizer.ggml.bos_token_id", BOS)
                .putUInt32("tokenizer.ggml.eos_token_id", EOS)
                .putUInt32("tokenizer.ggml.unknown_token_id", UNK);
        if (fim) {
            writer.putUInt32("tokenizer.ggml.fim_pre_token_id", FIM_PREFIX)
                    .putUInt32("tokenizer.ggml.fim_suf_token_id", FIM_SUFFIX)
                    .putUInt32("tokenizer.ggml.fim_mid_token_id", FIM_MIDDLE)
                    .putUInt32("tokenizer.ggml.fim_pad_token_id", FIM_PAD)
                    .putUInt32("tokenizer.ggml.fim_sep_token_id", FILE_SEP);
        }
        writer.putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false)
                .putString("tokenizer.chat_template", chatTemplate);
    }

    /** Collects word pieces after the fixed leading tokens. Not thread-safe. */
    public static final class Builder {
        private final List<String> pieces = new ArrayList<>();
        private final List<Float> scores = new ArrayList<>();
        private final List<TokenType> types = new ArrayList<>();
        private final Map<String, Integer> ids = new HashMap<>();
        private boolean fim = true;
        private String chatTemplate = CHAT_TEMPLATE;

        private Builder() {
            add("<unk>", TokenType.UNKNOWN, 0);
            for (String control : CONTROL_TOKENS) {
                add(control, TokenType.CONTROL, 0);
            }
            for (int value = 0; value <= 0xFF; value++) {
                add("<0x%02X>".formatted(value), TokenType.BYTE, 0);
            }
            add(SPACE, TokenType.NORMAL, 0);
            for (char c = '!'; c <= '~'; c++) {
                add(String.valueOf(c), TokenType.NORMAL, 0);
            }
        }

        /**
         * Adds {@code piece} and each of its prefixes that is not a token yet, scoring each by its length in code
         * points, so that llama.cpp's tokenizer can merge its way from single characters to the whole piece.
         */
        public Builder word(String piece) {
            if (piece.isEmpty()) {
                throw new IllegalArgumentException("a word piece cannot be empty");
            }
            int[] codePoints = piece.codePoints().toArray();
            for (int length = 1; length <= codePoints.length; length++) {
                String prefix = new String(codePoints, 0, length);
                if (!ids.containsKey(prefix)) {
                    add(prefix, TokenType.NORMAL, length);
                }
            }
            return this;
        }

        /** Adds each of {@code pieces} as a {@link #word}. */
        public Builder words(String... pieces) {
            for (String piece : pieces) {
                word(piece);
            }
            return this;
        }

        /**
         * Makes a vocabulary without fill-in-the-middle tokens, like most chat models: ids {@link #FIM_PREFIX} to
         * {@link #FILE_SEP} stay control tokens but are called {@code <|unused_0|>} to {@code <|unused_4|>} (texts
         * llama.cpp does not recognise as FIM markers), and no {@code fim_*_token_id} keys are written.
         */
        public Builder withoutFim() {
            for (int id = FIM_PREFIX; id <= FILE_SEP; id++) {
                String unused = "<|unused_" + (id - FIM_PREFIX) + "|>";
                ids.remove(pieces.get(id));
                pieces.set(id, unused);
                ids.put(unused, id);
            }
            fim = false;
            return this;
        }

        /** Sets the chat template ({@code tokenizer.chat_template}, Jinja); the default is {@link #CHAT_TEMPLATE}. */
        public Builder chatTemplate(String template) {
            if (template == null || template.isEmpty()) {
                throw new IllegalArgumentException("a chat template cannot be empty");
            }
            chatTemplate = template;
            return this;
        }

        /** The number of tokens so far. */
        public int size() {
            return pieces.size();
        }

        /** The vocabulary. */
        public Vocabulary build() {
            return new Vocabulary(this);
        }

        private void add(String piece, TokenType type, float score) {
            ids.put(piece, pieces.size());
            pieces.add(piece);
            scores.add(score);
            types.add(type);
        }
    }
}
