package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import dev.puna.runtime.ResourceClosedException;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Tokenizer work on a model's vocabulary alone, for the routes that only tokenize, detokenize or render a prompt
 * ({@code /tokenize}, {@code /detokenize}, {@code /apply-template}, {@code /api/tokenize},
 * {@code /api/detokenize}). A model that is loaded already answers from its own vocabulary
 * ({@link ModelScheduler#loadedModel}), as llama-server does, without a lease: its keep-alive does not move. Else
 * each request loads the GGUF vocab-only ({@link ModelParams.Builder#vocabOnly}): no weights, no context, nothing
 * the scheduler counts against memory or keeps alive, so asking for a token count never loads a model or evicts
 * one that serves generations; reading a large vocabulary takes tens to hundreds of milliseconds (50-100 ms for the
 * bench's 32,000 tokens). The work runs on a worker thread.
 */
public final class Vocabularies {
    private static final ModelParams VOCAB_ONLY = ModelParams.builder().vocabOnly(true).build();

    private Vocabularies() {
    }

    /**
     * Runs {@code work} on {@code entry}'s vocabulary; the future completes on the caller's context. Failures are
     * mapped to {@link ApiException}s ({@link Errors#toApi}).
     */
    public static <T> Future<T> with(ServerContext sc, CatalogModel entry, Function<Model, T> work) {
        return sc.<T>blocking(() -> apply(sc.scheduler() == null ? null : sc.scheduler().loadedModel(entry),
                entry.path(), work)).recover(e -> Future.failedFuture(Errors.toApi(e)));
    }

    /**
     * {@code work} on {@code loaded} when it is given and stays open through the work, else on the vocabulary of
     * the GGUF at {@code path}. Work that a closing model cut short is done again on the file's: it only reads.
     */
    static <T> T apply(Model loaded, Path path, Function<Model, T> work) {
        if (loaded != null) {
            try {
                return work.apply(loaded);
            } catch (ResourceClosedException e) {
                // Unloaded meanwhile (keep-alive, eviction): read the vocabulary from the file instead.
            }
        }
        try (Model model = Model.load(path, VOCAB_ONLY)) {
            return work.apply(model);
        }
    }
}
