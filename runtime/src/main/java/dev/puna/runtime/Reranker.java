package dev.puna.runtime;

import dev.puna.bindings.Llama;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Scores how relevant documents are to a query with a reranker model: a model whose GGUF declares pooling
 * {@code rank} ({@code <arch>.pooling_type} 4, {@code LLAMA_POOLING_TYPE_RANK}) and carries a classification head
 * (BERT-style {@code cls.*}, or Qwen3-reranker's {@code cls.output} over the yes/no logits).
 *
 * <p>Each (query, document) pair is one sequence, built as llama-server's {@code format_prompt_rerank} builds it
 * ({@link #pairTokens}), evaluated on a context of its own with rank pooling; the pair's score is element 0 of
 * what the head outputs ({@code llama_get_embeddings_seq} holds {@code n_cls_out} floats), taken as it is: a
 * logit for BERT-style rerankers, the probability of "yes" for Qwen3's (llama.cpp applies its softmax).
 *
 * <p><b>Ownership.</b> The reranker owns one {@link Session} on the model (which holds a reference to the model);
 * {@link #close()} frees it. <b>Threads.</b> Thread-safe: calls are serialised on the one context.
 */
public final class Reranker implements AutoCloseable {
    /** GGUF key of a reranker's own prompt for a pair ({@code {query}}, {@code {document}} replaced). */
    private static final String RERANK_TEMPLATE = "tokenizer.chat_template.rerank";

    private final Model model;
    private final Session session;
    private final ReentrantLock lock = new ReentrantLock();

    private Reranker(Model model, Session session) {
        this.model = model;
        this.session = session;
    }

    /** Whether {@code model} declares rank pooling, i.e. is a reranker. */
    public static boolean supports(Model model) {
        return declaredPooling(model) == Pooling.RANK.llamaValue();
    }

    private static long declaredPooling(Model model) {
        return model.gguf().getLong(model.info().architecture() + ".pooling_type").orElse(0);
    }

    /**
     * Opens a reranker on {@code model} with the settings of {@code params} (embeddings and rank pooling are set
     * here). llama.cpp pools a sequence only within one physical batch, so the physical batch is made the batch
     * size, capped at the context size: a pair may have {@code min(contextSize, batchSize)} tokens
     * ({@link #maxPairTokens()}), as llama-server's rerank inputs are bounded by its batch size.
     *
     * @throws IllegalArgumentException if {@code model} is not a reranker ({@link #supports})
     */
    public static Reranker open(Model model, SessionParams params) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(params, "params");
        if (!supports(model)) {
            throw new IllegalArgumentException("model " + model.info().path() + " is not a reranker: its pooling "
                    + "type is " + declaredPooling(model) + ", not 4 (rank)");
        }
        int n = Math.min(params.contextSize(), params.batchSize());
        Session session = model.newSession(params.toBuilder().batchSize(n).ubatchSize(n).embeddings(true)
                .pooling(Pooling.RANK).build());
        return new Reranker(model, session);
    }

    /** The model. */
    public Model model() {
        return model;
    }

    /** The most tokens a pair may have: the context size or the batch size, whichever is smaller. */
    public int maxPairTokens() {
        return Math.min(session.contextSize(), session.params().batchSize());
    }

    /**
     * The tokens of one pair, as llama-server builds them: the model's rerank prompt
     * ({@code tokenizer.chat_template.rerank}) with {@code {query}} and {@code {document}} replaced, tokenized with
     * special tokens parsed; else {@code [BOS] query [EOS] [SEP] document [EOS]}, each marker only where the
     * vocabulary adds it ({@code add_bos}, {@code add_eos}, {@code add_sep}; SEP stands in for a missing EOS).
     */
    public int[] pairTokens(String query, String document) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(document, "document");
        Optional<String> template = model.gguf().getString(RERANK_TEMPLATE);
        if (template.isPresent()) {
            String prompt = template.get().replace("{query}", query).replace("{document}", document);
            return model.tokenize(prompt, false, true);
        }
        model.acquire();
        try {
            int[] q = model.tokenizeUnchecked(query, false, false);
            int[] d = model.tokenizeUnchecked(document, false, false);
            SpecialTokens s = model.specialTokens();
            int sep = Llama.llama_vocab_sep(model.vocab());
            int eos = s.eos() != SpecialTokens.NONE ? s.eos() : sep;
            boolean addSep = Llama.llama_vocab_get_add_sep(model.vocab());
            List<Integer> out = new ArrayList<>(q.length + d.length + 4);
            if (s.addBos()) {
                out.add(s.bos());
            }
            add(out, q);
            if (s.addEos()) {
                out.add(eos);
            }
            if (addSep) {
                out.add(sep);
            }
            add(out, d);
            if (s.addEos()) {
                out.add(eos);
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        } finally {
            model.release();
        }
    }

    private static void add(List<Integer> out, int[] tokens) {
        for (int t : tokens) {
            out.add(t);
        }
    }

    /**
     * The score of each pair (tokens from {@link #pairTokens}, or the caller's own), in order.
     *
     * @throws InvalidParameterException for an empty pair or a token id outside the vocabulary
     * @throws ContextOverflowException for a pair longer than {@link #maxPairTokens()}
     * @throws ResourceClosedException if the reranker is (or gets) closed
     */
    public float[] score(List<int[]> pairs) {
        Objects.requireNonNull(pairs, "pairs");
        lock.lock();
        try {
            float[][] heads = session.embedTokens(pairs);
            float[] scores = new float[heads.length];
            for (int i = 0; i < heads.length; i++) {
                scores[i] = heads[i][0];
            }
            return scores;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return session.isClosed();
    }

    /** Frees the context; a call in progress fails with {@link ResourceClosedException}. Idempotent. */
    @Override
    public void close() {
        session.close();
    }
}
