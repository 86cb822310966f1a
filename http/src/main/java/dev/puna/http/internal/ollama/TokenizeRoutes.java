package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.Guard;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ModelNames;
import dev.puna.http.internal.RequestLog;
import dev.puna.http.internal.Responses;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.TokenText;
import dev.puna.http.internal.Vocabularies;
import dev.puna.runtime.Model;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/**
 * Ollama-style tokenizer routes over model names. Ollama's API documents none, so the shape is Puna's, following
 * the tokenization example in the ollama-js repository:
 * {@code POST /api/tokenize} {@code {model, text}} → {@code {model, tokens}}, the text tokenized as a raw
 * {@code /api/generate} prompt is (BOS as the model's tokenizer adds it, special-token text parsed);
 * {@code POST /api/detokenize} {@code {model, tokens}} → {@code {model, text}}, the tokens' pieces concatenated
 * with special tokens as their text. Both work on the vocabulary alone ({@link Vocabularies}).
 */
final class TokenizeRoutes {
    private final ServerContext sc;

    TokenizeRoutes(ServerContext sc) {
        this.sc = sc;
    }

    void tokenize(RoutingContext rc) {
        JsonBody body = sc.requestBody(rc.body().buffer());
        String model = body.string("model");
        String text = body.string("text");
        ModelNames.require(model);
        if (text == null) {
            throw ApiException.badParameter("text", "\"text\" is required");
        }
        run(rc, model, vocabulary -> {
            int[] tokens = vocabulary.tokenize(text, true, true);
            RequestLog.tokens(rc, tokens.length, 0);
            ObjectNode o = OllamaJson.object();
            o.put("model", model);
            ArrayNode out = o.putArray("tokens");
            for (int t : tokens) {
                out.add(t);
            }
            return o;
        });
    }

    void detokenize(RoutingContext rc) {
        JsonBody body = sc.requestBody(rc.body().buffer());
        String model = body.string("model");
        ArrayNode tokens = body.array("tokens");
        ModelNames.require(model);
        int[] ids = TokenText.requiredIds(tokens, "tokens");
        run(rc, model, vocabulary -> {
            TokenText.check(vocabulary, ids, "tokens");
            ObjectNode o = OllamaJson.object();
            o.put("model", model);
            o.put("text", TokenText.text(vocabulary, ids));
            return o;
        });
    }

    private void run(RoutingContext rc, String name, Function<Model, ObjectNode> work) {
        RequestLog.model(rc, name);
        sc.findModel(name).onSuccess(entry -> Guard.run(rc, () ->
                Vocabularies.with(sc, entry, work)
                        .onSuccess(o -> Responses.json(rc, 200, OllamaJson.write(o)))
                        .onFailure(rc::fail))).onFailure(rc::fail);
    }
}
