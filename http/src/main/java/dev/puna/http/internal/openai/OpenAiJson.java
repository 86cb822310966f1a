package dev.puna.http.internal.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.CatalogModel;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.ResponseIds;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.TokenLogprob;
import java.util.List;

/** Shapes of OpenAI's response objects that several routes share. */
final class OpenAiJson {
    private OpenAiJson() {
    }

    static ObjectNode object() {
        return JsonBody.MAPPER.createObjectNode();
    }

    static String write(Object o) {
        return JsonBody.write(o);
    }

    /** A response id such as {@code chatcmpl-...}: the prefix and 24 random alphanumerics. */
    static String id(String prefix) {
        return ResponseIds.next(prefix + "-");
    }

    /**
     * {@code system_fingerprint}: identifies the weights serving the request, so a client can tell when the same
     * name starts meaning a different model (the digest's first 12 hex digits).
     */
    static String fingerprint(CatalogModel model) {
        String digest = model.digest();
        int colon = Math.max(digest.indexOf(':'), digest.indexOf('-'));
        String hex = digest.substring(colon + 1);
        return hex.isEmpty() ? "fp_puna" : "fp_" + hex.substring(0, Math.min(12, hex.length()));
    }

    /** OpenAI's {@code finish_reason}. */
    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP, EOS, CANCELLED -> "stop";
            case LENGTH, CONTEXT_FULL -> "length";
        };
    }

    /** {@code usage}: {@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens}. */
    static ObjectNode usage(int promptTokens, int completionTokens) {
        ObjectNode u = object();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        return u;
    }

    /** Chat's {@code logprobs.content} entries: {@code {token, logprob, bytes, top_logprobs}}. */
    static ArrayNode chatLogprobs(List<TokenLogprob> logprobs) {
        ArrayNode a = JsonBody.MAPPER.createArrayNode();
        for (TokenLogprob lp : logprobs) {
            ObjectNode o = chatLogprob(lp);
            ArrayNode top = o.putArray("top_logprobs");
            for (TokenLogprob alt : lp.top()) {
                top.add(chatLogprob(alt));
            }
            a.add(o);
        }
        return a;
    }

    private static ObjectNode chatLogprob(TokenLogprob lp) {
        ObjectNode o = object();
        o.put("token", lp.text());
        o.put("logprob", lp.logprob());
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : lp.bytes()) {
            bytes.add(b & 0xff);
        }
        return o;
    }

    /**
     * The legacy completions {@code logprobs} object for {@code logprobs}: {@code tokens}, {@code token_logprobs},
     * {@code top_logprobs} (one {@code {token: logprob}} object per position) and {@code text_offset}, each token's
     * offset in the choice's text counted in characters (code points, as OpenAI's Python counts) from
     * {@code offset}.
     */
    static ObjectNode completionLogprobs(List<TokenLogprob> logprobs, int offset) {
        ObjectNode o = object();
        ArrayNode tokens = o.putArray("tokens");
        ArrayNode tokenLogprobs = o.putArray("token_logprobs");
        ArrayNode top = o.putArray("top_logprobs");
        ArrayNode offsets = o.putArray("text_offset");
        int at = offset;
        for (TokenLogprob lp : logprobs) {
            tokens.add(lp.text());
            tokenLogprobs.add(lp.logprob());
            ObjectNode alternatives = top.addObject();
            for (TokenLogprob alt : lp.top()) {
                alternatives.put(alt.text(), alt.logprob());
            }
            offsets.add(at);
            at += lp.text().codePointCount(0, lp.text().length());
        }
        return o;
    }

    /** A {@code model} object of {@code /v1/models}. */
    static ObjectNode model(String id, CatalogModel m) {
        ObjectNode o = object();
        o.put("id", id);
        o.put("object", "model");
        o.put("created", m.modifiedAt().getEpochSecond());
        o.put("owned_by", ownedBy(m.name()));
        return o;
    }

    /** The namespace of a model name ({@code [host/][namespace/]model[:tag]}), {@code library} when it has none. */
    static String ownedBy(String name) {
        String[] parts = name.split("/");
        return parts.length >= 2 ? parts[parts.length - 2] : "library";
    }
}
