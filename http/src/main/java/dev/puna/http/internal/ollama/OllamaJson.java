package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.ModelDetails;
import dev.puna.http.internal.JsonBody;
import dev.puna.runtime.FinishReason;
import dev.puna.runtime.GenerationResult;
import dev.puna.runtime.TokenLogprob;
import dev.puna.runtime.tools.ParsedToolCall;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Ollama's response objects, field by field ({@code api/types.go}); durations in nanoseconds. */
final class OllamaJson {
    private static final Logger LOG = LogManager.getLogger(OllamaJson.class);
    /** RFC 3339 with nanoseconds, as Go's time.Time marshals. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    private OllamaJson() {
    }

    static ObjectNode object() {
        return JsonBody.MAPPER.createObjectNode();
    }

    static String time(Instant t) {
        return TIME.format(t.atOffset(ZoneOffset.UTC));
    }

    static String now() {
        return time(Instant.now());
    }

    /** Ollama's {@code done_reason}. */
    static String doneReason(FinishReason reason) {
        return switch (reason) {
            case STOP, EOS, CANCELLED -> "stop";
            case LENGTH, CONTEXT_FULL -> "length";
        };
    }

    /** The timing fields of a final response. */
    static void metrics(ObjectNode o, GenerationResult r, long totalNanos, long loadNanos) {
        o.put("total_duration", totalNanos);
        o.put("load_duration", loadNanos);
        // Only the tokens actually evaluated: a prompt prefix found in the KV cache costs nothing.
        o.put("prompt_eval_count", r.timings().promptTokensEvaluated());
        o.put("prompt_eval_duration", r.timings().promptEvalNanos());
        o.put("eval_count", r.completionTokens());
        o.put("eval_duration", r.timings().evalNanos());
    }

    /** Ollama's {@code logprobs} array entries. */
    static ArrayNode logprobs(List<TokenLogprob> logprobs) {
        ArrayNode a = JsonBody.MAPPER.createArrayNode();
        for (TokenLogprob lp : logprobs) {
            ObjectNode o = logprob(lp);
            ArrayNode top = o.putArray("top_logprobs");
            for (TokenLogprob alt : lp.top()) {
                top.add(logprob(alt));
            }
            a.add(o);
        }
        return a;
    }

    private static ObjectNode logprob(TokenLogprob lp) {
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
     * Ollama's {@code message.tool_calls}: {@code [{"id", "function": {"index", "name", "arguments": {...}}}]}, the
     * arguments as an object. A call the output was cut off inside, or whose arguments are not a JSON object, is not
     * a call Ollama's clients could run: it is left out (and logged); {@code done_reason} says when output was cut.
     */
    static ArrayNode toolCalls(List<ParsedToolCall> calls) {
        ArrayNode out = JsonBody.MAPPER.createArrayNode();
        for (ParsedToolCall call : calls) {
            JsonNode arguments = call.complete() ? call.argumentsJson().orElse(null) : null;
            if (arguments == null || !arguments.isObject()) {
                LOG.warn("dropping tool call {} of '{}': {} arguments {}", call.index(), call.name(),
                        call.complete() ? "non-object" : "incomplete", call.arguments());
                continue;
            }
            ObjectNode o = out.addObject();
            o.put("id", call.id());
            ObjectNode function = o.putObject("function");
            function.put("index", call.index());
            function.put("name", call.name());
            function.set("arguments", arguments);
        }
        return out;
    }

    static ObjectNode details(ModelDetails d) {
        ObjectNode o = object();
        o.put("parent_model", d.parentModel());
        o.put("format", d.format());
        o.put("family", d.family());
        ArrayNode families = o.putArray("families");
        d.families().forEach(families::add);
        o.put("parameter_size", d.parameterSize());
        o.put("quantization_level", d.quantizationLevel());
        return o;
    }

    /** A load/unload answer: {@code {model, created_at, response:"", done:true, done_reason}}. */
    static ObjectNode loadResponse(String model, String field, String reason) {
        ObjectNode o = object();
        o.put("model", model);
        o.put("created_at", now());
        if (field.equals("message")) {
            o.putObject("message").put("role", "assistant").put("content", "");
        } else {
            o.put("response", "");
        }
        o.put("done", true);
        o.put("done_reason", reason);
        return o;
    }

    static String write(Object o) {
        try {
            return JsonBody.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
