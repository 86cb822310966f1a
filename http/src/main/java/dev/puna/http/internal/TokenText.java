package dev.puna.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.puna.runtime.Model;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Token ids in requests and token text in responses, as the tokenizer routes ({@code /tokenize},
 * {@code /detokenize}, {@code /api/tokenize}, {@code /api/detokenize}) share them. Ids are checked against the
 * vocabulary here because llama.cpp does not check them (an id out of range would abort the process).
 */
public final class TokenText {
    private TokenText() {
    }

    /**
     * The required token-id array {@code field} of a detokenize request.
     *
     * @throws ApiException 400 when it is missing or not an array of valid ids
     */
    public static int[] requiredIds(ArrayNode tokens, String field) {
        if (tokens == null) {
            throw ApiException.badParameter(field, "\"" + field + "\" is required");
        }
        return ids(tokens, field);
    }

    /**
     * A JSON array of token ids.
     *
     * @throws ApiException 400 naming {@code param} for an element that is not a whole number from 0 to 2^31-1
     */
    public static int[] ids(ArrayNode array, String param) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(array.get(i), param + "[" + i + "]", param);
        }
        return out;
    }

    /** One token id; {@code path} names it in the message, {@code param} is the error's parameter. */
    public static int id(JsonNode v, String path, String param) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw ApiException.badParameter(param, "invalid value for \"" + path + "\": expected a token id (a "
                    + "whole number from 0), got " + JsonBody.describe(v));
        }
        return v.intValue();
    }

    /**
     * Checks every id against {@code model}'s vocabulary.
     *
     * @throws ApiException 400 naming {@code param} and the first id outside it
     */
    public static void check(Model model, int[] ids, String param) {
        for (int i = 0; i < ids.length; i++) {
            check(model, ids[i], param + "[" + i + "]", param);
        }
    }

    /** Checks one id; {@code path} names it in the message, {@code param} is the error's parameter. */
    public static void check(Model model, int id, String path, String param) {
        if (id >= model.vocabSize()) {
            throw ApiException.badParameter(param, "invalid token id " + id + " at \"" + path + "\": outside the "
                    + "model's vocabulary (0.." + (model.vocabSize() - 1) + ")");
        }
    }

    /**
     * The text of {@code ids} as llama-server's {@code /detokenize} writes it: each token's piece with special
     * tokens rendered as their text ({@code <s>}), concatenated, with SentencePiece's leading space kept. Bytes
     * that do not form UTF-8 (a cut multi-byte character) become U+FFFD.
     */
    public static String text(Model model, int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(model.tokenBytes(id, true));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * A token's piece as llama-server's {@code with_pieces} writes it: a string when its bytes are valid UTF-8,
     * else the array of byte values (0..255), as for a byte-fallback token that holds part of a character.
     */
    public static JsonNode piece(byte[] bytes) {
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            return JsonBody.MAPPER.getNodeFactory().textNode(s);
        } catch (CharacterCodingException e) {
            ArrayNode a = JsonBody.MAPPER.createArrayNode();
            for (byte b : bytes) {
                a.add(b & 0xFF);
            }
            return a;
        }
    }
}
