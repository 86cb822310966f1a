package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.gguf.GgmlType;
import dev.puna.store.ProgressListener;
import dev.puna.testkit.TestModels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input sweep: every route of the three API families (Ollama, OpenAI, Anthropic) gets malformed JSON, wrong types, missing and extra fields,
 * out-of-range numbers, huge bodies and values, invalid UTF-8, deeply nested JSON, traversal names and digests, NUL
 * bytes, unknown models and ids. Every case must be a 4xx (the exact status where one is declared) in the route's own
 * error format, parsed, with no stack trace or class name in it, and the server must answer a normal request right
 * after. The server is a real one over a real store holding the scripted model.
 *
 * <p>To sweep a new route, add a {@link Route} to {@link #ROUTES} (JSON routes: a valid body, the fields that name
 * models, and the wrong-typed and out-of-range values of its own fields; the generic cases come for free) or cases to
 * {@link #pathCases()} for routes without a body.
 */
@Timeout(900)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputSweepTest {
    /** The body cap of the swept server: the deep-nesting bodies fit under it, the huge ones do not. */
    private static final int BODY_LIMIT = 1 << 20;
    private static final String CHAT = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final Pattern LEAK = Pattern.compile("\tat |Exception|(java|javax|jdk|sun|io\\.vertx|io\\.netty"
            + "|com\\.fasterxml|dev\\.puna)\\.[a-z]");

    /** Which error format a path's family answers with. */
    enum Family { OLLAMA, OPENAI, ANTHROPIC }

    /** One request and what must come back; {@code expect} 0: any 4xx. */
    record Case(String name, String method, String path, byte[] body, boolean chunked, int expect) {
        Family family() {
            String path = this.path.replaceFirst("\\?.*", "");
            return path.startsWith("/v1/") || path.equals("/v1") || Stream.of("/chat/completions", "/completions",
                    "/embeddings", "/models", "/assistants", "/threads", "/responses", "/conversations", "/tokenize",
                    "/detokenize", "/apply-template", "/rerank", "/reranking", "/lora-adapters").anyMatch(p -> path.equals(p) || path.startsWith(p + "/"))
                    ? Family.OPENAI : Family.OLLAMA;
        }
    }

    /** A JSON route and its own bad values; {@link #cases()} adds the generic ones. */
    static final class Route {
        final String method;
        final String path;
        final String valid;
        final List<String> names = new ArrayList<>(List.of("model"));
        final List<String[]> bad = new ArrayList<>();
        int unknownStatus = 404;
        boolean emptyIsValid;

        Route(String method, String path, String valid) {
            this.method = method;
            this.path = path;
            this.valid = valid;
        }

        /** {@code field} (a dotted path into the valid body) set to the JSON {@code value}: a 400. */
        Route bad(String field, String value) {
            bad.add(new String[] {field, value});
            return this;
        }

        /** The fields that hold model names (default {@code model}). */
        Route names(String... fields) {
            names.clear();
            names.addAll(List.of(fields));
            return this;
        }

        /** An empty object (or no body) is a valid request of this route (all its fields are optional): not a case. */
        Route emptyIsValid() {
            emptyIsValid = true;
            return this;
        }

        /**
         * The status for an unknown model in the first of {@link #names} (the others may name new models); 0: do not
         * send one (it would go to a registry).
         */
        Route unknown(int status) {
            unknownStatus = status;
            return this;
        }

        List<Case> cases() {
            List<Case> out = new ArrayList<>();
            String[] malformed = {"", " ", "{", "{\"model\":", "not json", valid + " trailing", valid + "{}", "[]",
                    "\"a string\"", "null", "123", "true", "{\"model\":\"scripted\",}", "{'model':'scripted'}",
                    "{\"model\":\"scripted\"", "\u0000", "{\"model\":\"\\uZZZZ\"}", "{\"model\":NaN}"};
            for (String m : malformed) {
                if (m.isEmpty() && emptyIsValid) {
                    continue; // no body at all is an empty request there
                }
                out.add(json("malformed " + quote(m), m, 400));
            }
            if (!emptyIsValid) {
                out.add(json("missing fields", "{}", 400));
            }
            out.add(json("extra fields only", "{\"unexpected\":{\"deeply\":[1,2,{\"x\":null}]},\"also\":true}", 400));
            for (String[] b : bad) {
                out.add(json(b[0] + "=" + b[1], patch(b[0], b[1]), 400));
            }
            for (String field : names) {
                boolean first = field.equals(names.getFirst());
                for (String name : new String[] {"../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd",
                        "a/../../b", "library/../../../x", "registry.ollama.ai/../../../../etc/passwd",
                        "C:\\\\Windows\\\\win.ini", "scripted\\u0000.gguf", "\\u0000", "", "   ", "a:b:c",
                        "\\ud800", "x".repeat(100_000), "scripted:" + "t".repeat(200)}) {
                    out.add(json(field + "=" + quote(name), patch(field, "\"" + name + "\""), 400));
                }
                out.add(json(field + "=123", patch(field, "123"), 400));
                out.add(json(field + "=[\"scripted\"]", patch(field, "[\"scripted\"]"), 400));
                out.add(json(field + "={}", patch(field, "{}"), 400));
                if (unknownStatus != 0 && first) {
                    out.add(json(field + " unknown", patch(field, "\"nonexistent-model-xyz\""), unknownStatus));
                }
                out.add(new Case(field + " invalid UTF-8", method, path, invalidUtf8(field), false, 400));
            }
            out.add(json("deep arrays", "{\"model\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}", 400));
            out.add(json("deep objects", "{\"model\":\"scripted\",\"options\":" + "{\"a\":".repeat(100_000) + "1"
                    + "}".repeat(100_001), 400));
            String huge = patch("padding", "\"" + "p".repeat(BODY_LIMIT + 1000) + "\"");
            out.add(json("huge body", huge, 413));
            out.add(new Case("huge body, chunked", method, path, huge.getBytes(StandardCharsets.UTF_8), true, 413));
            return out;
        }

        private Case json(String name, String body, int expect) {
            return new Case(name, method, path, body.getBytes(StandardCharsets.UTF_8), false, expect);
        }

        /** The valid body with {@code field} (dotted, objects created on the way) set to JSON {@code value}. */
        String patch(String field, String value) {
            try {
                ObjectNode root = (ObjectNode) Http.JSON.readTree(valid);
                String[] parts = field.split("\\.");
                ObjectNode at = root;
                for (int i = 0; i < parts.length - 1; i++) {
                    JsonNode next = at.get(parts[i]);
                    at = next instanceof ObjectNode o ? o : at.putObject(parts[i]);
                }
                at.set(parts[parts.length - 1], Http.JSON.readTree(value));
                return Http.JSON.writeValueAsString(root);
            } catch (IOException e) {
                throw new UncheckedIOException("bad value in the sweep table: " + field + "=" + value, e);
            }
        }

        /** The valid body with {@code field}'s string broken by bytes that are not UTF-8. */
        private byte[] invalidUtf8(String field) {
            String marker = "INVALID-UTF8-HERE";
            String body = patch(field, "\"" + marker + "\"");
            int at = body.indexOf(marker);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(body.substring(0, at).getBytes(StandardCharsets.UTF_8));
            b.writeBytes(new byte[] {'s', (byte) 0xC3, '(', (byte) 0xFF, (byte) 0xFE, (byte) 0x80, 'x'});
            b.writeBytes(body.substring(at + marker.length()).getBytes(StandardCharsets.UTF_8));
            return b.toByteArray();
        }

        private static String quote(String s) {
            String shown = s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
            return "'" + shown.replace("\u0000", "\\0") + "'";
        }
    }

    private static Route post(String path, String valid) {
        return new Route("POST", path, valid);
    }

    /** Every JSON route with its own wrong types and out-of-range values. */
    static final List<Route> ROUTES = List.of(
            post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"hi\",\"stream\":false,"
                    + "\"options\":{\"num_predict\":1}}")
                    .bad("prompt", "[1]").bad("prompt", "{}").bad("stream", "\"yes\"").bad("raw", "\"true\"")
                    .bad("options", "[]").bad("options", "\"x\"").bad("options.num_ctx", "\"8k\"")
                    .bad("options.temperature", "[1]").bad("options.stop", "5").bad("options.stop", "[1]")
                    .bad("options.seed", "1.5").bad("options.use_mmap", "\"no\"").bad("context", "\"x\"")
                    .bad("context", "[\"a\"]").bad("images", "{}").bad("keep_alive", "{}")
                    .bad("keep_alive", "\"soon\"").bad("format", "5").bad("format", "\"xml\"").bad("think", "\"maybe\"")
                    .bad("suffix", "1").bad("system", "{}").bad("template", "[]").bad("template", "\"{{ .Prompt \"")
                    .bad("template", "\"{{ range .Messages }}{{ .Nope }}{{ end }}\"")
                    .bad("logprobs", "\"y\"").bad("top_logprobs", "\"1\"").bad("truncate", "1").bad("shift", "\"no\"")
                    .bad("options.num_ctx", "2147483648").bad("options.num_ctx", "0").bad("options.num_ctx", "-1")
                    .bad("options.num_ctx", "1e400").bad("options.num_predict", "1000000000")
                    .bad("options.num_predict", "-3").bad("options.temperature", "-1")
                    .bad("options.temperature", "1e400").bad("options.top_k", "-5").bad("options.top_p", "2")
                    .bad("options.num_batch", "0").bad("options.num_thread", "100000").bad("options.num_keep", "-2")
                    .bad("options.mirostat", "7").bad("options.repeat_last_n", "-5").bad("top_logprobs", "1000000")
                    .bad("keep_alive", "1e400").bad("context", "[-1]").bad("context", "[2147483648]")
                    .bad("context", "[1e400]").bad("images", "[\"aGk=\"]")
                    .bad("format", "{\"type\":\"string\",\"pattern\":\"a+\"}")
                    .bad("format", "{\"$ref\":\"#/$defs/x\",\"$defs\":{\"x\":{\"$ref\":\"#/$defs/x\"}}}")
                    .bad("options.stop", "[" + "\"s\",".repeat(99) + "\"s\"]"),
            post("/api/chat", "{\"model\":\"scripted\"," + CHAT + ",\"stream\":false,\"options\":{\"num_predict\":1}}")
                    .bad("messages", "{}").bad("messages", "\"hi\"").bad("messages", "[1]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":5}]").bad("messages", "[{\"content\":\"hi\"}]")
                    .bad("messages", "[{\"role\":5,\"content\":\"hi\"}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":\"hi\",\"images\":\"x\"}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":\"hi\",\"images\":[\"aGk=\"]}]")
                    .bad("messages", "[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":{}}]")
                    .bad("messages", "[{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":5}]}]")
                    .bad("tools", "{}").bad("tools", "[1]").bad("tools", "[{\"type\":\"function\"}]")
                    .bad("tools", "[{\"type\":\"function\",\"function\":{\"name\":5}}]").bad("format", "[]")
                    .bad("options", "\"x\"").bad("stream", "1").bad("think", "[]").bad("keep_alive", "[]")
                    .bad("options.num_ctx", "2147483648").bad("options.num_predict", "1000000000")
                    .bad("options.top_k", "-5").bad("options.temperature", "-1").bad("top_logprobs", "21")
                    .bad("tools", "[" + (tool() + ",").repeat(200) + tool() + "]"),
            post("/api/embed", "{\"model\":\"scripted\",\"input\":\"hi\"}")
                    .bad("input", "5").bad("input", "{}").bad("input", "[1,{}]").bad("input", "[[\"a\"]]")
                    .bad("truncate", "\"no\"").bad("dimensions", "\"x\"").bad("dimensions", "-1")
                    .bad("dimensions", "1000000").bad("dimensions", "1e400").bad("keep_alive", "{}")
                    .bad("options", "[]").bad("options.num_ctx", "2147483648"),
            post("/api/embeddings", "{\"model\":\"scripted\",\"prompt\":\"hi\"}")
                    .bad("prompt", "5").bad("prompt", "[\"a\"]").bad("options", "5").bad("keep_alive", "true"),
            post("/api/show", "{\"model\":\"scripted\"}").bad("verbose", "\"yes\""),
            post("/api/pull", "{\"model\":\"localhost:1/library/scripted\",\"insecure\":true}")
                    .bad("stream", "\"x\"").bad("insecure", "\"yes\"").unknown(0),
            post("/api/push", "{\"model\":\"localhost:1/library/scripted\",\"insecure\":true}")
                    .bad("stream", "\"x\"").bad("insecure", "\"yes\""),
            post("/api/create", "{\"model\":\"sweep-made\",\"from\":\"scripted\",\"stream\":false}")
                    .names("from", "model")
                    .bad("files", "[]").bad("files", "{\"model.gguf\":5}")
                    .bad("files", "{\"model.gguf\":\"sha256:../../etc/passwd\"}")
                    .bad("files", "{\"model.gguf\":\"sha256-" + "a".repeat(63) + "\"}")
                    .bad("files", "{\"model.gguf\":\"md5:" + "a".repeat(32) + "\"}")
                    .bad("files", "{\"../../x.gguf\":\"sha256:" + "a".repeat(64) + "\"}")
                    .bad("adapters", "{\"a\":\"sha256:..%2f\"}").bad("parameters", "[]")
                    .bad("parameters", "{\"num_ctx\":\"x\"}").bad("messages", "{}").bad("messages", "[5]")
                    .bad("quantize", "5").bad("quantize", "\"q9_z\"").bad("template", "[]").bad("system", "5")
                    .bad("license", "{}").bad("stream", "\"x\"").bad("modelfile", "\"FROM scripted\""),
            post("/api/copy", "{\"source\":\"scripted\",\"destination\":\"sweep-copy\"}")
                    .names("source", "destination"),
            new Route("DELETE", "/api/delete", "{\"model\":\"nonexistent-model-xyz\"}"),
            post("/v1/chat/completions", "{\"model\":\"scripted\"," + CHAT + ",\"max_tokens\":1}")
                    .bad("messages", "{}").bad("messages", "\"hi\"").bad("messages", "[]").bad("messages", "[1]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":5}]").bad("messages", "[{\"role\":\"x\","
                            + "\"content\":\"hi\"}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
                            + "{\"url\":\"file:///etc/passwd\"}}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"nope\"}]}]")
                    .bad("messages", "[{\"role\":\"tool\",\"content\":\"x\"}]")
                    .bad("temperature", "\"hot\"").bad("temperature", "3").bad("temperature", "-1")
                    .bad("temperature", "1e400").bad("top_p", "2").bad("n", "\"2\"").bad("n", "0").bad("n", "10000")
                    .bad("stop", "5").bad("stop", "[1]").bad("stop", "[\"a\",\"b\",\"c\",\"d\",\"e\"]")
                    .bad("stream", "\"yes\"").bad("stream_options", "5").bad("stream_options", "{}")
                    .bad("tools", "{}").bad("tools", "[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]")
                    .bad("tool_choice", "5").bad("tool_choice", "\"required\"").bad("response_format", "\"json\"")
                    .bad("response_format", "{\"type\":\"xml\"}").bad("logit_bias", "[]")
                    .bad("logit_bias", "{\"-1\":5}").bad("logit_bias", "{\"1\":1000}").bad("logit_bias", "{\"a\":1}")
                    .bad("max_tokens", "\"10\"").bad("max_tokens", "-2").bad("max_tokens", "1000000000")
                    .bad("max_completion_tokens", "0").bad("seed", "\"x\"").bad("seed", "1e400")
                    .bad("top_logprobs", "1000000").bad("logprobs", "\"y\"").bad("frequency_penalty", "5")
                    .bad("presence_penalty", "-5").bad("user", "5").bad("num_ctx", "2147483648")
                    .bad("options", "[]").bad("options.num_ctx", "\"big\"").bad("functions", "[]")
                    .bad("tools", "[" + (tool() + ",").repeat(200) + tool() + "]"),
            post("/chat/completions", "{\"model\":\"scripted\"," + CHAT + ",\"max_tokens\":1}")
                    .bad("messages", "{}").bad("n", "-1"),
            post("/v1/messages", "{\"model\":\"scripted\",\"max_tokens\":1," + CHAT + "}")
                    .bad("max_tokens", "\"1\"").bad("max_tokens", "0").bad("max_tokens", "1000000000")
                    .bad("max_tokens", "1e400").bad("messages", "{}").bad("messages", "[]").bad("messages", "[1]")
                    .bad("messages", "[{\"role\":\"system\",\"content\":\"x\"}]")
                    .bad("messages", "[{\"role\":\"user\"}]").bad("messages", "[{\"content\":\"x\"}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":5}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[5]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"nope\"}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                            + "{\"type\":\"url\",\"url\":\"http://169.254.169.254/\"}}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                            + "{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"%%%\"}}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                            + "{\"type\":\"base64\",\"media_type\":\"text/html\",\"data\":\"aGk=\"}}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":"
                            + "{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"aGk=\"}}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                            + "\"tool_use_id\":\"toolu_x\"}]}]")
                    .bad("messages", "[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":"
                            + "\"t\",\"name\":\"f\"}]}]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":[{\"type\":\"document\"}]}]")
                    .bad("system", "5").bad("system", "[{\"type\":\"image\"}]").bad("system", "[\"x\"]")
                    .bad("temperature", "2").bad("temperature", "\"hot\"").bad("temperature", "1e400")
                    .bad("top_p", "-1").bad("top_k", "-1").bad("top_k", "1.5").bad("stop_sequences", "\"x\"")
                    .bad("stop_sequences", "[1]").bad("stop_sequences", "[" + "\"s\",".repeat(16) + "\"s\"]")
                    .bad("stream", "\"yes\"").bad("tools", "{}").bad("tools", "[5]")
                    .bad("tools", "[{\"name\":\"a b\",\"input_schema\":{}}]").bad("tools", "[{\"name\":\"f\"}]")
                    .bad("tools", "[{\"name\":\"f\",\"input_schema\":[]}]")
                    .bad("tools", "[{\"type\":\"bash_20250124\",\"name\":\"bash\"}]")
                    .bad("tools", "[" + (anthropicTool() + ",").repeat(200) + anthropicTool() + "]")
                    .bad("tool_choice", "\"auto\"").bad("tool_choice", "{\"type\":\"x\"}")
                    .bad("tool_choice", "{\"type\":\"any\"}").bad("tool_choice", "{\"type\":\"tool\"}")
                    .bad("thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}").bad("thinking", "5")
                    .bad("thinking", "{\"type\":\"enabled\"}").bad("thinking", "{\"type\":\"enabled\",\"budget_tokens\":5}")
                    .bad("thinking", "{\"type\":\"sometimes\"}").bad("metadata", "[]")
                    .bad("metadata.user_id", "5").bad("service_tier", "1"),
            post("/v1/messages/count_tokens", "{\"model\":\"scripted\"," + CHAT + "}")
                    .bad("messages", "{}").bad("messages", "[{\"role\":\"tool\",\"content\":\"x\"}]")
                    .bad("system", "{}").bad("tools", "[{\"name\":5,\"input_schema\":{}}]")
                    .bad("max_tokens", "0"),
            post("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"hi\",\"max_tokens\":1}")
                    .bad("prompt", "{}").bad("prompt", "[{}]").bad("prompt", "[[1],\"a\"]").bad("prompt", "[-1]")
                    .bad("prompt", "[2147483648]").bad("prompt", "[[99999999]]").bad("echo", "\"y\"")
                    .bad("logprobs", "\"x\"").bad("logprobs", "6").bad("suffix", "5").bad("best_of", "\"x\"")
                    .bad("best_of", "0").bad("n", "0").bad("max_tokens", "1e400").bad("stop", "{}")
                    .bad("temperature", "-0.5").bad("lora", "{}").bad("lora", "[1]").bad("lora", "[{\"id\":0}]")
                    .bad("lora", "[{\"id\":\"0\"}]").bad("lora", "[{\"id\":0,\"scale\":1e400}]")
                    .bad("lora", "[{\"id\":2147483648}]"),
            post("/v1/embeddings", "{\"model\":\"scripted\",\"input\":\"hi\"}")
                    .bad("input", "{}").bad("input", "[]").bad("input", "[-1]").bad("input", "[[]]")
                    .bad("input", "[[1e400]]").bad("input", "[true]").bad("encoding_format", "\"hex\"")
                    .bad("dimensions", "\"x\"").bad("dimensions", "-1").bad("dimensions", "0").bad("user", "[]"),
            post("/embeddings", "{\"model\":\"scripted\",\"input\":\"hi\"}").bad("input", "5"),
            post("/tokenize", "{\"model\":\"scripted\",\"content\":\"hi\",\"with_pieces\":true}")
                    .bad("content", "5").bad("content", "{}").bad("content", "[{}]").bad("content", "[-1]")
                    .bad("content", "[99999999]").bad("content", "[\"a\",1.5]").bad("add_special", "\"y\"")
                    .bad("parse_special", "1").bad("with_pieces", "[]"),
            post("/detokenize", "{\"model\":\"scripted\",\"tokens\":[1]}")
                    .bad("tokens", "\"1\"").bad("tokens", "{}").bad("tokens", "[-1]").bad("tokens", "[99999999]")
                    .bad("tokens", "[1.5]").bad("tokens", "[2147483648]").bad("tokens", "[[1]]"),
            post("/apply-template", "{\"model\":\"scripted\"," + CHAT + "}")
                    .bad("messages", "{}").bad("messages", "[]").bad("messages", "[1]")
                    .bad("messages", "[{\"role\":\"user\",\"content\":5}]").bad("tools", "{}")
                    .bad("tools", "[{\"type\":\"function\",\"function\":{\"name\":\"a b\"}}]"),
            post("/v1/rerank", "{\"model\":\"reranker\",\"query\":\"hi\",\"documents\":[\"a\",{\"text\":\"b\"}],"
                    + "\"top_n\":1,\"return_documents\":true}")
                    .bad("model", "\"scripted\"").bad("query", "5").bad("query", "[\"hi\"]").bad("documents", "\"a\"")
                    .bad("documents", "{}").bad("documents", "[]").bad("documents", "[5]")
                    .bad("documents", "[{\"text\":5}]").bad("documents", "[{}]").bad("documents", "[[\"a\"]]")
                    .bad("documents", "[" + "\"a\",".repeat(1000) + "\"a\"]")
                    .bad("documents", "[\"" + "one ".repeat(5000) + "\"]").bad("top_n", "0").bad("top_n", "-1")
                    .bad("top_n", "\"1\"").bad("top_n", "1.5").bad("top_n", "1e400").bad("return_documents", "\"y\""),
            post("/rerank", "{\"model\":\"reranker\",\"query\":\"hi\",\"documents\":[\"a\"]}")
                    .bad("documents", "[1]").bad("model", "\"scripted\""),
            post("/v1/reranking", "{\"model\":\"reranker\",\"query\":\"hi\",\"documents\":[\"a\"]}")
                    .bad("query", "{}"),
            post("/reranking", "{\"model\":\"reranker\",\"query\":\"hi\",\"documents\":[\"a\"]}")
                    .bad("top_n", "[]"),
            post("/api/tokenize", "{\"model\":\"scripted\",\"text\":\"hi\"}")
                    .bad("text", "5").bad("text", "[\"hi\"]").bad("text", "{}"),
            post("/api/detokenize", "{\"model\":\"scripted\",\"tokens\":[1]}")
                    .bad("tokens", "\"x\"").bad("tokens", "[-1]").bad("tokens", "[99999999]").bad("tokens", "[{}]"),
            // The stateful APIs: ids in paths name nothing, so every case fails on its input before any lookup.
            post("/v1/assistants", "{\"model\":\"scripted\"}")
                    .bad("name", "5").bad("temperature", "3").bad("top_p", "-1").bad("tools", "{}")
                    .bad("tools", "[{\"type\":\"code_interpreter\"}]").bad("tools", "[5]").bad("metadata", "[]")
                    .bad("metadata", "{\"k\":5}").bad("response_format", "7").bad("reasoning_effort", "\"max\"")
                    .bad("instructions", "\"" + "i".repeat(256_001) + "\"")
                    .bad("tools", "[" + ("{\"type\":\"function\",\"function\":{\"name\":\"f\"}},").repeat(128)
                            + "{\"type\":\"function\",\"function\":{\"name\":\"g\"}}]"),
            post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").names().emptyIsValid()
                    .bad("messages", "{}").bad("messages", "[5]").bad("messages", "[{\"role\":\"system\","
                            + "\"content\":\"x\"}]").bad("messages", "[{\"role\":\"user\",\"content\":[]}]")
                    .bad("metadata", "5").bad("tool_resources", "[]"),
            post("/v1/threads/runs", "{\"assistant_id\":\"asst_sweep\",\"thread\":{\"messages\":[]}}")
                    .bad("assistant_id", "5").bad("thread", "[]").bad("thread.messages", "5")
                    .bad("max_completion_tokens", "0").bad("truncation_strategy", "{\"type\":\"x\"}")
                    .bad("tool_choice", "5").bad("stream", "\"y\""),
            post("/v1/threads/thread_sweep/messages", "{\"role\":\"user\",\"content\":\"hi\"}").names()
                    .bad("role", "\"tool\"").bad("content", "5").bad("content", "[{\"type\":\"x\"}]")
                    .bad("attachments", "[{\"file_id\":\"f\"}]").bad("metadata", "\"m\""),
            post("/v1/threads/thread_sweep/runs", "{\"assistant_id\":\"asst_sweep\"}")
                    .bad("additional_messages", "{}").bad("max_prompt_tokens", "-1").bad("temperature", "\"x\"")
                    .bad("tools", "[{\"type\":\"file_search\"}]").bad("parallel_tool_calls", "1"),
            post("/v1/threads/thread_sweep/runs/run_sweep/submit_tool_outputs", "{\"tool_outputs\":[]}").names()
                    .bad("tool_outputs", "{}").bad("tool_outputs", "[5]").bad("tool_outputs", "[{\"output\":\"x\"}]")
                    .bad("stream", "5"),
            post("/v1/responses", "{\"model\":\"scripted\",\"input\":\"hi\",\"store\":false,"
                    + "\"max_output_tokens\":1}")
                    .bad("input", "5").bad("input", "[5]").bad("input", "[{\"role\":\"robot\",\"content\":\"x\"}]")
                    .bad("input", "[{\"type\":\"computer_call\"}]").bad("tools", "[{\"type\":\"web_search\"}]")
                    .bad("text", "5").bad("text", "{\"format\":{\"type\":\"yaml\"}}").bad("truncation", "\"x\"")
                    .bad("max_output_tokens", "0").bad("previous_response_id", "\"../x\"")
                    .bad("conversation", "5").bad("background", "\"y\"").bad("top_logprobs", "5"),
            post("/v1/conversations", "{\"items\":[]}").names().emptyIsValid()
                    .bad("items", "5").bad("items", "[5]").bad("metadata", "[]")
                    .bad("items", "[" + "{\"role\":\"user\",\"content\":\"x\"},".repeat(20)
                            + "{\"role\":\"user\",\"content\":\"x\"}]"),
            post("/v1/conversations/conv_sweep/items", "{\"items\":[]}").names().bad("items", "{}"));

    private static String anthropicTool() {
        return "{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}";
    }

    private static String tool() {
        return "{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}";
    }

    /** Routes without a JSON body: path parameters, blobs, unknown routes, wrong methods. */
    static List<Case> pathCases() {
        List<Case> out = new ArrayList<>();
        String hex = "ab".repeat(32);
        for (String id : List.of("nonexistent-model-xyz", "..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fx",
                "%00", "scripted%00", "a%2F..%2F..%2F..%2Fetc", "x".repeat(5000), "%C3%28", "%FF%FE", "a:b:c",
                "library%2F..%2F..")) {
            out.add(new Case("model id " + id.substring(0, Math.min(id.length(), 30)), "GET", "/v1/models/" + id,
                    null, false, id.startsWith("nonexistent") ? 404 : 0));
            out.add(new Case("bare model id " + id.substring(0, Math.min(id.length(), 30)), "GET", "/models/" + id,
                    null, false, id.startsWith("nonexistent") ? 404 : 0));
        }
        for (String digest : List.of("sha256:..%2F..%2Fetc%2Fpasswd", "sha256-" + hex.substring(1),
                "sha256:" + "g".repeat(64), "md5:" + "a".repeat(32), "sha256:" + hex + "%2F..%2Fx", "%00",
                "sha256:" + hex + "%00", "..", "sha256%3A" + hex.toUpperCase(), "sha512:" + hex + hex, "x".repeat(5000))) {
            String shown = digest.substring(0, Math.min(digest.length(), 30));
            out.add(new Case("HEAD blob " + shown, "HEAD", "/api/blobs/" + digest, null, false, 0));
            out.add(new Case("POST blob " + shown, "POST", "/api/blobs/" + digest, "data".getBytes(), false, 0));
        }
        out.add(new Case("POST blob with a digest that does not match", "POST", "/api/blobs/sha256:" + hex,
                "not the content".getBytes(), false, 400));
        out.add(new Case("HEAD missing blob", "HEAD", "/api/blobs/sha256:" + hex, null, false, 404));
        out.add(new Case("unknown Ollama route", "GET", "/api/nonexistent", null, false, 404));
        out.add(new Case("unknown OpenAI route", "POST", "/v1/nonexistent", "{}".getBytes(), false, 404));
        out.add(new Case("unknown Anthropic route", "POST", "/v1/messages/nonexistent", "{}".getBytes(), false, 404));
        out.add(new Case("wrong method, messages", "GET", "/v1/messages", null, false, 405));
        out.add(new Case("wrong method, count_tokens", "PUT", "/v1/messages/count_tokens", "{}".getBytes(), false,
                405));
        out.add(new Case("traversal route", "GET", "/api/../../etc/passwd", null, false, 0));
        out.add(new Case("encoded traversal route", "GET", "/api/%2E%2E/%2E%2E/etc/passwd", null, false, 0));
        out.add(new Case("NUL in a route", "GET", "/api/tags%00", null, false, 0));
        out.add(new Case("wrong method, Ollama", "GET", "/api/generate", null, false, 405));
        out.add(new Case("wrong method, OpenAI", "DELETE", "/v1/chat/completions", null, false, 405));
        out.add(new Case("wrong method, health", "POST", "/health", "{}".getBytes(), false, 405));
        out.add(new Case("wrong method, tags", "POST", "/api/tags", "{}".getBytes(), false, 405));
        out.add(new Case("wrong method, ps", "DELETE", "/api/ps", null, false, 405));
        out.add(new Case("wrong method, delete", "POST", "/api/delete", "{\"model\":\"x\"}".getBytes(), false, 405));
        out.add(new Case("wrong method, models", "PUT", "/v1/models", "{}".getBytes(), false, 405));
        out.add(new Case("wrong method, embeddings", "GET", "/v1/embeddings", null, false, 405));
        out.add(new Case("lora-adapters without a model", "GET", "/lora-adapters", null, false, 400));
        out.add(new Case("lora-adapters of an unknown model", "GET", "/lora-adapters?model=nope", null, false, 404));
        out.add(new Case("lora-adapters traversal model", "GET", "/lora-adapters?model=..%2F..%2Fetc", null, false, 400));
        out.add(new Case("lora-adapters object body", "POST", "/lora-adapters?model=scripted",
                "{\"id\":0}".getBytes(), false, 400));
        out.add(new Case("lora-adapters bad id", "POST", "/lora-adapters?model=scripted",
                "[{\"id\":0,\"scale\":1}]".getBytes(), false, 400));
        out.add(new Case("lora-adapters malformed JSON", "POST", "/lora-adapters?model=scripted",
                "[{".getBytes(), false, 400));
        out.add(new Case("lora-adapters wrong method", "PUT", "/lora-adapters", "[]".getBytes(), false, 405));
        for (String id : List.of("..%2F..%2Fetc%2Fpasswd", "%00", "x".repeat(5000), "%C3%28", "a%2Fb", "thread_missing")) {
            String shown = id.substring(0, Math.min(id.length(), 30));
            for (String path : List.of("/v1/assistants/", "/v1/threads/", "/v1/threads/thread_x/messages/",
                    "/v1/threads/thread_x/runs/", "/v1/threads/thread_x/runs/run_x/steps/", "/v1/responses/",
                    "/v1/conversations/", "/v1/conversations/conv_x/items/", "/threads/")) {
                out.add(new Case("stateful id " + shown, "GET", path + id, null, false, 0));
            }
            out.add(new Case("delete thread " + shown, "DELETE", "/v1/threads/" + id, null, false, 0));
            out.add(new Case("cancel run " + shown, "POST", "/v1/threads/thread_x/runs/" + id + "/cancel", null, false,
                    0));
        }
        out.add(new Case("list with a bad limit", "GET", "/v1/assistants?limit=-5", null, false, 400));
        out.add(new Case("list with a bad cursor", "GET", "/v1/threads/thread_x/messages?after=..%2F..", null, false,
                400));
        out.add(new Case("wrong method, threads", "PUT", "/v1/threads", "{}".getBytes(), false, 405));
        out.add(new Case("wrong method, responses", "PATCH", "/v1/responses", "{}".getBytes(), false, 405));
        out.add(new Case("below a route", "GET", "/api/tags/extra", null, false, 404));
        out.add(new Case("below the version", "GET", "/api/version/x", null, false, 404));
        return out;
    }

    @TempDir
    static Path dir;
    private static StoreServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        server = new StoreServer(dir.resolve("models"), ServerConfig.builder().maxBodyBytes(BODY_LIMIT));
        server.store.register("scripted", StoreServer.scripted(GgmlType.F32), ProgressListener.NONE);
        server.store.register("reranker", TestModels.reranker(dir.resolve("generated")), ProgressListener.NONE);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @TestFactory
    @Order(1)
    Stream<DynamicTest> everyRouteRefusesBadInputInItsOwnFormat() {
        List<Case> cases = new ArrayList<>();
        ROUTES.forEach(r -> cases.addAll(r.cases()));
        cases.addAll(pathCases());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.method() + " " + shorten(c.path()) + ": " + c.name(),
                () -> check(c)));
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static void check(Case c) throws Exception {
        HttpRequest.BodyPublisher body = c.body() == null ? HttpRequest.BodyPublishers.noBody()
                : c.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(c.body()))
                : HttpRequest.BodyPublishers.ofByteArray(c.body());
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.server.url() + c.path()))
                .timeout(Duration.ofSeconds(60)).method(c.method(), body);
        if (c.body() != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> r;
        try {
            r = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            if (c.expect() == 413) {
                // The server may answer 413 and close while the client is still sending; then the client sees the
                // connection go. What matters is that the server refused and still serves (checked below).
                assertServes();
                return;
            }
            throw e;
        }
        int status = r.statusCode();
        assertTrue(status >= 400 && status < 500, "expected a 4xx, got " + status + ": " + r.body());
        if (c.expect() != 0) {
            assertEquals(c.expect(), status, r.body());
        }
        if (!c.method().equals("HEAD")) {
            assertFormat(format(c), r.body());
        }
        assertServes();
    }

    /** Anthropic's paths lie under OpenAI's {@code /v1} and answer in their own format. */
    private static Family format(Case c) {
        return c.path().equals("/v1/messages") || c.path().startsWith("/v1/messages/") ? Family.ANTHROPIC
                : c.family();
    }

    private static void assertFormat(Family family, String body) throws IOException {
        assertFalse(LEAK.matcher(body).find(), "a stack trace or class name in the body: " + body);
        JsonNode json = Http.JSON.readTree(body);
        assertTrue(json != null && json.isObject(), "not a JSON object: " + body);
        assertEquals(family == Family.ANTHROPIC ? List.of("type", "error") : List.of("error"), iterate(json), body);
        JsonNode error = json.get("error");
        switch (family) {
            case ANTHROPIC -> {
                assertEquals("error", json.get("type").asText(), body);
                assertTrue(error.isObject(), "Anthropic's {\"type\":\"error\",\"error\":{...}}: " + body);
                assertEquals(List.of("type", "message"), iterate(error), body);
                assertTrue(error.get("type").isTextual() && error.get("type").textValue().endsWith("_error")
                        || error.get("type").asText().equals("request_too_large"), body);
                assertTrue(error.get("message").isTextual() && !error.get("message").textValue().isBlank(), body);
            }
            case OLLAMA -> {
                assertTrue(error.isTextual() && !error.textValue().isBlank(), "Ollama's {\"error\":\"...\"}: " + body);
            }
            case OPENAI -> {
                assertTrue(error.isObject(), "OpenAI's {\"error\":{...}}: " + body);
                assertEquals(List.of("message", "type", "param", "code"), iterate(error), body);
                assertTrue(error.get("message").isTextual() && !error.get("message").textValue().isBlank(), body);
                assertTrue(error.get("type").isTextual(), body);
                assertTrue(error.get("param").isNull() || error.get("param").isTextual(), body);
                assertTrue(error.get("code").isNull() || error.get("code").isTextual(), body);
            }
            default -> fail();
        }
    }

    private static List<String> iterate(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The server still answers a normal request. */
    private static void assertServes() {
        Http.Response ok = server.http.get("/api/version");
        assertEquals(200, ok.status(), ok.body());
    }

    @Test
    @Order(2)
    void afterTheSweepTheServerStillGenerates() {
        Http.Response r = server.http.post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\""
                + TestModels.COUNT_PROMPT + "\",\"raw\":true,\"stream\":false,\"options\":{\"temperature\":0,"
                + "\"num_predict\":3}}");
        assertEquals(200, r.status(), r.body());
        assertEquals(TestModels.countCompletion(3), r.json().get("response").asText());
    }
}
