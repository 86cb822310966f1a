package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
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
import dev.puna.runtime.chat.ChatMessage;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * llama-server's tokenizer routes, with a {@code model} field added because Puna serves many models (llama-server
 * serves one, so its requests name none): {@code model} is required.
 * <ul>
 *   <li>{@code POST /tokenize}: {@code content} (a string, or an array mixing strings and token ids, which pass
 *       through), {@code add_special} (default false: BOS/EOS as the model's tokenizer adds them, for the first
 *       element only), {@code parse_special} (default true: {@code <|im_start|>} in the text is that token),
 *       {@code with_pieces} (default false) → {@code {"tokens":[ids]}}, or with pieces
 *       {@code {"tokens":[{"id","piece"}]}} where a piece that is not valid UTF-8 is an array of its bytes.</li>
 *   <li>{@code POST /detokenize}: {@code tokens} → {@code {"content"}}, each token's piece with special tokens as
 *       their text, concatenated (llama-server's {@code tokens_to_str}).</li>
 *   <li>{@code POST /apply-template}: a chat completions body → {@code {"prompt"}}, the very text
 *       {@code /v1/chat/completions} would generate from (Modelfile {@code SYSTEM} and {@code TEMPLATE}, else the
 *       GGUF's Jinja template; {@code tools} when the model may call them).</li>
 * </ul>
 * Errors come in OpenAI's format (llama-server's own). They work on the model's vocabulary alone
 * ({@link Vocabularies}), never loading its weights.
 */
final class TokenizerRoutes {
    private final ServerContext sc;

    TokenizerRoutes(ServerContext sc) {
        this.sc = sc;
    }

    /** One element of {@code content}: text to tokenize, or a token id taken as it is. */
    private record Part(String text, int token) {
    }

    void tokenize(RoutingContext rc) {
        JsonBody body = sc.requestBody(rc.body().buffer());
        String model = body.string("model");
        JsonNode content = body.raw("content");
        Boolean addSpecial = body.bool("add_special");
        Boolean parseSpecial = body.bool("parse_special");
        Boolean withPieces = body.bool("with_pieces");
        ModelNames.require(model);
        List<Part> parts = parts(content);
        boolean add = addSpecial != null && addSpecial;
        boolean parse = parseSpecial == null || parseSpecial;
        boolean pieces = withPieces != null && withPieces;
        run(rc, model, (vocabulary, entry) -> {
            int[] tokens = tokens(vocabulary, parts, add, parse);
            ObjectNode o = OpenAiJson.object();
            ArrayNode out = o.putArray("tokens");
            for (int t : tokens) {
                if (pieces) {
                    ObjectNode p = out.addObject();
                    p.put("id", t);
                    p.set("piece", TokenText.piece(vocabulary.tokenBytes(t, true)));
                } else {
                    out.add(t);
                }
            }
            RequestLog.tokens(rc, tokens.length, 0);
            return o;
        });
    }

    private static List<Part> parts(JsonNode content) {
        if (content == null) {
            throw ApiException.badParameter("content", "\"content\" is required");
        }
        if (content.isTextual()) {
            return List.of(new Part(content.textValue(), -1));
        }
        if (!content.isArray()) {
            throw ApiException.badParameter("content", "invalid value for \"content\": expected a string or an array "
                    + "of strings and token ids, got " + JsonBody.describe(content));
        }
        List<Part> parts = new ArrayList<>(content.size());
        for (int i = 0; i < content.size(); i++) {
            JsonNode e = content.get(i);
            parts.add(e.isTextual() ? new Part(e.textValue(), -1)
                    : new Part(null, TokenText.id(e, "content[" + i + "]", "content")));
        }
        return parts;
    }

    /** As llama-server's {@code tokenize_mixed}: special tokens are added for the first element, if it is text. */
    private static int[] tokens(Model model, List<Part> parts, boolean addSpecial, boolean parseSpecial) {
        List<int[]> pieces = new ArrayList<>(parts.size());
        int total = 0;
        for (int i = 0; i < parts.size(); i++) {
            Part p = parts.get(i);
            int[] t;
            if (p.text != null) {
                t = model.tokenize(p.text, addSpecial && i == 0, parseSpecial);
            } else {
                TokenText.check(model, p.token, "content[" + i + "]", "content");
                t = new int[] {p.token};
            }
            pieces.add(t);
            total += t.length;
        }
        int[] out = new int[total];
        int at = 0;
        for (int[] t : pieces) {
            System.arraycopy(t, 0, out, at, t.length);
            at += t.length;
        }
        return out;
    }

    void detokenize(RoutingContext rc) {
        JsonBody body = sc.requestBody(rc.body().buffer());
        String model = body.string("model");
        ArrayNode tokens = body.array("tokens");
        ModelNames.require(model);
        int[] ids = TokenText.requiredIds(tokens, "tokens");
        run(rc, model, (vocabulary, entry) -> {
            TokenText.check(vocabulary, ids, "tokens");
            ObjectNode o = OpenAiJson.object();
            o.put("content", TokenText.text(vocabulary, ids));
            return o;
        });
    }

    void applyTemplate(RoutingContext rc) {
        JsonBody body = sc.requestBody(rc.body().buffer());
        String model = body.string("model");
        ArrayNode messagesNode = body.array("messages");
        StructuredOutput structured = StructuredOutput.read(body);
        ModelNames.require(model);
        List<ChatMessage> messages = ChatMessages.read(messagesNode);
        List<Map<String, Object>> tools = structured.callsTools() ? structured.definitions() : null;
        run(rc, model, (vocabulary, entry) -> {
            ObjectNode o = OpenAiJson.object();
            o.put("prompt", ChatCompletionsRoute.render(vocabulary, entry, messages, tools).text());
            return o;
        });
    }

    /** Looks the model up, then runs {@code work} on its vocabulary on a worker thread and answers its object. */
    private void run(RoutingContext rc, String name, BiFunction<Model, CatalogModel, ObjectNode> work) {
        RequestLog.model(rc, name);
        sc.findModel(name).onSuccess(entry -> Guard.run(rc, () ->
                Vocabularies.with(sc, entry, model -> work.apply(model, entry))
                        .onSuccess(o -> Responses.json(rc, 200, OpenAiJson.write(o)))
                        .onFailure(rc::fail))).onFailure(rc::fail);
    }
}
