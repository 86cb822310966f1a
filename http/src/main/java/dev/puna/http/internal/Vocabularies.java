package dev.puna.http.internal;

import dev.puna.http.CatalogModel;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelParams;
import io.vertx.core.Future;
import java.util.function.Function;

/**
 * Tokenizer work on a model's vocabulary alone, for the routes that only tokenize, detokenize or render a prompt
 * ({@code /tokenize}, {@code /detokenize}, {@code /apply-template}, {@code /api/tokenize},
 * {@code /api/detokenize}). Each request loads the GGUF vocab-only ({@link ModelParams.Builder#vocabOnly}): no
 * weights, no context, nothing the scheduler counts against memory or keeps alive, so asking for a token count
 * never loads a model or evicts one that serves generations. The load and the work run on a worker thread.
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
        return sc.<T>blocking(() -> {
            try (Model model = Model.load(entry.path(), VOCAB_ONLY)) {
                return work.apply(model);
            }
        }).recover(e -> Future.failedFuture(Errors.toApi(e)));
    }
}
