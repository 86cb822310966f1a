package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerRouter;
import dev.puna.http.internal.ollama.OllamaRoutes;
import dev.puna.http.internal.openai.OpenAiRoutes;
import dev.puna.runtime.ModelLoadException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * OpenAI's routes over real HTTP on a Vert.x instance from {@link VertxExtension}, assembled as the server assembles
 * them (OpenAI's family before Ollama's), with a catalog over the scripted GGUF file and a scheduler whose loader
 * refuses to load (no native code): every route's bad input with its exact status and OpenAI error body, unknown
 * {@code /v1} routes, wrong methods, oversized bodies, and the model listing.
 */
@ExtendWith(VertxExtension.class)
class OpenAiRoutesTest {
    private static final long BODY_LIMIT = 4096;
    private static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    private static HttpServer server;
    private static java.net.http.HttpClient client;
    private static ModelScheduler scheduler;

    @BeforeAll
    static void start(Vertx vertx, VertxTestContext ctx) {
        TestCatalog catalog = new TestCatalog().add("scripted", ScriptedServer.MODEL)
                .add("broken", Path.of("/nonexistent/broken.gguf"))
                .add(new CatalogModel("alice/coder:7b", ScriptedServer.MODEL, "", 1, TestCatalog.MODIFIED,
                        TestCatalog.DETAILS, null, null, null, null, null));
        scheduler = new ModelScheduler((m, o) -> {
            throw new ModelLoadException(m.path(), "no such file");
        }, (m, o) -> 1, 3, 1 << 30, Executors.newCachedThreadPool(), Executors.newSingleThreadScheduledExecutor());
        ServerConfig config = ServerConfig.builder().port(0).maxBodyBytes(BODY_LIMIT).build();
        ServerContext sc = new ServerContext(vertx, config, catalog, scheduler);
        // The JDK's client, as in OllamaRoutesTest (Vert.x 5.0.10's client sometimes never completed a response).
        client = java.net.http.HttpClient.newHttpClient();
        vertx.createHttpServer().requestHandler(ServerRouter.create(vertx, config,
                        List.of(new OpenAiRoutes(sc), new OllamaRoutes(sc))))
                .listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
                    server = s;
                    ctx.completeNow();
                }));
    }

    @AfterAll
    static void stop() {
        scheduler.close();
    }

    record Reply(int status, MultiMap headers, String body) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(body, e);
            }
        }
    }

    private static Future<Reply> call(HttpMethod method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method.name(), body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
        return Future.fromCompletionStage(client.sendAsync(request.build(), BodyHandlers.ofString()).thenApply(r -> {
            MultiMap h = MultiMap.caseInsensitiveMultiMap();
            r.headers().map().forEach((k, v) -> h.add(k, v.getFirst()));
            return new Reply(r.statusCode(), h, r.body());
        }));
    }

    /** OpenAI's error body: {@code {"error":{"message","type","param","code"}}}. */
    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode o = Http.JSON.createObjectNode();
        ObjectNode e = o.putObject("error");
        e.put("message", message);
        e.put("type", type);
        e.put("param", param);
        e.put("code", code);
        return o;
    }

    private static void expectError(VertxTestContext ctx, HttpMethod method, String path, String body, int status,
                                    String param, String code, String message) {
        call(method, path, body).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(status, r.status(), r.body());
            assertEquals("application/json; charset=utf-8", r.headers().get("Content-Type"));
            assertEquals(error(message, status >= 500 ? "server_error" : "invalid_request_error", param, code),
                    r.json());
            ctx.completeNow();
        })));
    }

    // ---- bad input, every route: method | path | body | status | param | code | exact message ----

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            POST | /v1/chat/completions |                                         | 400 |  |  | missing request body
            POST | /v1/chat/completions | `[1]`                                   | 400 |  |  | request body must be a JSON object, got an array
            POST | /v1/chat/completions | `{"model":"scripted","messages":[`      | 400 |  |  | invalid JSON in request body: Unexpected end-of-input: expected close marker for Array (line 1, column 33)
            POST | /v1/chat/completions | `{"messages":[{"role":"user","content":"x"}]}` | 400 | model | | model is required
            POST | /v1/chat/completions | `{"model":"../x","messages":[{"role":"user","content":"x"}]}` | 400 | model | | invalid model name '../x'
            POST | /v1/chat/completions | `{"model":"nope","messages":[{"role":"user","content":"x"}]}` | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/chat/completions | `{"model":"scripted"}`                  | 400 | messages |  | "messages" is required
            POST | /v1/chat/completions | `{"model":"scripted","messages":[]}`    | 400 | messages |  | "messages" must contain at least one message
            POST | /v1/chat/completions | `{"model":"scripted","messages":"hi"}`  | 400 | messages |  | invalid value for "messages": expected an array, got a string ("hi")
            POST | /v1/chat/completions | `{"model":"scripted","messages":[1]}`   | 400 | messages[0] | | invalid value for "messages[0]": expected an object, got a number (1)
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"content":"x"}]}` | 400 | messages[0].role | | "messages[0].role" is required
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"robot","content":"x"}]}` | 400 | messages[0].role | | invalid value for "messages[0].role": expected "system", "developer", "user", "assistant" or "tool", got "robot"
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user","content":5}]}` | 400 | messages[0].content | | invalid value for "messages[0].content": expected a string or an array of content parts, got a number (5)
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user"}]}` | 400 | messages[0].content | | "messages[0].content" is required
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"assistant","content":null}]}` | 400 | messages[0].content | | "messages[0].content" is required unless the message has tool_calls
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}}]}]}` | 400 | messages[0].content[0].image_url.url | | invalid image in "messages[0].content[0].image_url.url": not valid base64
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user","content":[{"type":"input_audio"}]}]}` | 400 | messages[0].content[0] | | audio input is not supported (input_audio content parts)
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user","content":[{"type":"video"}]}]}` | 400 | messages[0].content[0].type | | invalid value for "messages[0].content[0].type": expected "text", got "video"
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user","content":[{"type":"text"}]}]}` | 400 | messages[0].content[0].text | | "messages[0].content[0].text" is required
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"user","content":["x"]}]}` | 400 | messages[0].content[0] | | invalid value for "messages[0].content[0]": expected a content part object, got a string ("x")
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"tool","content":"x"}]}` | 400 | messages[0].tool_call_id | | "messages[0].tool_call_id" is required for tool messages
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{oops"}}]}]}` | 400 | messages[0].tool_calls[0].function.arguments | | invalid value for "messages[0].tool_calls[0].function.arguments": expected a JSON object as text, got "{oops"
            POST | /v1/chat/completions | `{"model":"scripted","messages":[{"role":"assistant","tool_calls":[{"id":"c"}]}]}` | 400 | messages[0].tool_calls[0].function | | "messages[0].tool_calls[0].function" is required
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"temperature":"hot"}` | 400 | temperature | | invalid value for "temperature": expected a number, got a string ("hot")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"temperature":3}` | 400 | temperature | | "temperature" must be between 0 and 2, got 3
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"top_p":1.5}`  | 400 | top_p | | "top_p" must be between 0 and 1, got 1.5
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"presence_penalty":-3}` | 400 | presence_penalty | | "presence_penalty" must be between -2 and 2, got -3
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"frequency_penalty":2.5}` | 400 | frequency_penalty | | "frequency_penalty" must be between -2 and 2, got 2.5
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"max_tokens":0}` | 400 | max_tokens | | "max_tokens" must be at least 1, got 0
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"max_completion_tokens":1.5}` | 400 | max_completion_tokens | | invalid value for "max_completion_tokens": expected an integer, got 1.5
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"n":0}`        | 400 | n | | "n" must be between 1 and 128 (PUNA_MAX_CHOICES), got 0
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"n":129}`      | 400 | n | | "n" must be between 1 and 128 (PUNA_MAX_CHOICES), got 129
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"stop":["a","b","c","d","e"]}` | 400 | stop | | "stop" takes at most 4 sequences, got 5
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"stop":5}`     | 400 | stop | | invalid value for "stop": expected a string or an array of strings, got a number (5)
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"stop":[1]}`   | 400 | stop | | invalid value for "stop[0]": expected a string, got a number (1)
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"seed":"x"}`   | 400 | seed | | invalid value for "seed": expected an integer, got a string ("x")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"seed":1.5}`   | 400 | seed | | invalid value for "seed": expected an integer, got a number (1.5)
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"logit_bias":{"x":1}}` | 400 | logit_bias | | invalid key in "logit_bias": expected a token id, got "x"
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"logit_bias":{"5":101}}` | 400 | logit_bias | | "logit_bias.5" must be between -100 and 100, got 101
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"logit_bias":{"5":"up"}}` | 400 | logit_bias | | invalid value for "logit_bias.5": expected a number, got a string ("up")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"logit_bias":[1]}` | 400 | logit_bias | | invalid value for "logit_bias": expected an object, got an array
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"stream":"yes"}` | 400 | stream | | invalid value for "stream": expected a boolean, got a string ("yes")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"stream_options":{"include_usage":true}}` | 400 | stream_options | | "stream_options" is only allowed when "stream" is true
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"stream":true,"stream_options":{"include_usage":1}}` | 400 | stream_options.include_usage | | invalid value for "stream_options.include_usage": expected a boolean, got a number (1)
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"logprobs":"yes"}` | 400 | logprobs | | invalid value for "logprobs": expected a boolean, got a string ("yes")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"logprobs":true,"top_logprobs":21}` | 400 | top_logprobs | | "top_logprobs" must be between 0 and 20, got 21
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"top_logprobs":2}` | 400 | top_logprobs | | "top_logprobs" requires "logprobs" to be true
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"user":5}`     | 400 | user | | invalid value for "user": expected a string, got a number (5)
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":"json"}` | 400 | response_format | | invalid value for "response_format": expected an object, got a string ("json")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":{"type":"xml"}}` | 400 | response_format.type | | response_format.type: must be "text", "json_object" or "json_schema", not "xml"
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":{"type":"json_schema"}}` | 400 | response_format.json_schema | | response_format.json_schema: must be an object
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":{"type":"json_schema","json_schema":{"schema":{}}}}` | 400 | response_format.json_schema.name | | "response_format.json_schema.name" is required: 1 to 64 letters, digits, '_' or '-'
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":{"type":"json_schema","json_schema":{"name":"a","strict":"yes"}}}` | 400 | response_format.json_schema.strict | | invalid value for "response_format.json_schema.strict": expected a boolean, got a string ("yes")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"string","pattern":"^a+$"}}}}` | 400 | response_format.json_schema.schema | | response_format.json_schema.schema: JSON schema feature 'pattern' is not supported (at /pattern)
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"integer","minimum":5,"maximum":1}}}}` | 400 | response_format.json_schema.schema | | response_format.json_schema.schema: invalid JSON schema at the schema root: no integer satisfies the minimum/maximum
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"required","response_format":{"type":"json_object"}}` | 400 | response_format | | "response_format" cannot be combined with a "tool_choice" that forces tool calls: both would constrain the same output
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":"f"}`  | 400 | tools | | invalid value for "tools": expected an array, got a string ("f")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{}}]}` | 400 | tools[0].function.name | | tools[0].function.name: must be a non-empty string
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"code_interpreter"}]}` | 400 | tools[0].type | | tools[0].type: only "function" tools are supported
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{"name":"a b"}}]}` | 400 | tools[0].function.name | | invalid function name 'a b': 1 to 64 letters, digits, '_' or '-'
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{"name":"f","parameters":"x"}}]}` | 400 | tools[0].function.parameters | | invalid value for "tools[0].function.parameters": expected a JSON schema object, got a string ("x")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]}` | 400 | tools[1].function.name | | tools[1].function.name: duplicate tool name 'f'
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tool_choice":"auto"}` | 400 | tool_choice | | "tool_choice" is only allowed when "tools" are given
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes"}` | 400 | tool_choice | | tool_choice: must be "auto", "none", "required" or a function, not "sometimes"
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}}` | 400 | tool_choice | | "tool_choice" names the function 'g', which is not among the tools
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"parallel_tool_calls":"no"}` | 400 | parallel_tool_calls | | invalid value for "parallel_tool_calls": expected a boolean, got a string ("no")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"functions":[{"name":"f"}]}` | 400 | functions | | the deprecated "functions" and "function_call" fields are not supported: use "tools" and "tool_choice"
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"options":"x"}` | 400 | options | | invalid value for "options": expected an object, got a string ("x")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"options":{"top_k":"many"}}` | 400 | options.top_k | | invalid value for "options.top_k": expected an integer, got a string ("many")
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"num_ctx":0}`  | 400 | num_ctx | | invalid option num_ctx: must be between 1 and 262144 (PUNA_MAX_NUM_CTX), got 0
            POST | /v1/chat/completions | `{"model":"scripted",MSG,"num_ctx":"big"}` | 400 | num_ctx | | invalid value for "num_ctx": expected an integer, got a string ("big")
            POST | /v1/chat/completions | `{"model":"broken",MSG}`                | 500 | | | cannot load the model: /nonexistent/broken.gguf: no such file
            GET  | /v1/chat/completions |                                         | 405 | | method_not_allowed | 405 method not allowed: GET /v1/chat/completions
            POST | /v1/completions      | `{"prompt":"x"}`                        | 400 | model | | model is required
            POST | /v1/completions      | `{"model":"nope","prompt":"x"}`         | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/completions      | `{"model":"scripted"}`                  | 400 | prompt | | "prompt" is required
            POST | /v1/completions      | `{"model":"scripted","prompt":5}`       | 400 | prompt | | invalid value for "prompt": expected a string, an array of strings, an array of token ids or an array of token-id arrays, got a number (5)
            POST | /v1/completions      | `{"model":"scripted","prompt":[]}`      | 400 | prompt | | "prompt" must not be an empty array
            POST | /v1/completions      | `{"model":"scripted","prompt":["a",1]}` | 400 | prompt | | invalid value for "prompt": expected a string, an array of strings, an array of token ids or an array of token-id arrays, got an array
            POST | /v1/completions      | `{"model":"scripted","prompt":[[1],[]]}` | 400 | prompt | | "prompt[1]" must not be empty
            POST | /v1/completions      | `{"model":"scripted","prompt":[1,1.5]}` | 400 | prompt | | invalid value for "prompt[1]": expected a token id, got a number (1.5)
            POST | /v1/completions      | `{"model":"scripted","prompt":[[1,"a"]]}` | 400 | prompt | | invalid value for "prompt[0][1]": expected a token id, got a string ("a")
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","suffix":5}` | 400 | suffix | | invalid value for "suffix": expected a string, got a number (5)
            POST | /v1/completions      | `{"model":"scripted","prompt":[1,2],"suffix":"}"}` | 400 | suffix | | "suffix" needs the prompt as text, not token ids
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","echo":"yes"}` | 400 | echo | | invalid value for "echo": expected a boolean, got a string ("yes")
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","logprobs":6}` | 400 | logprobs | | "logprobs" must be between 0 and 5, got 6
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","logprobs":true}` | 400 | logprobs | | invalid value for "logprobs": expected an integer, got a boolean (true)
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","logprobs":1,"echo":true}` | 400 | logprobs | | "logprobs" together with "echo" is not supported: log-probabilities of prompt tokens are not computed
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","best_of":3}` | 400 | best_of | | "best_of" other than "n" is not supported (choices are not ranked on the server), got best_of 3 and n 1
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","max_tokens":-1}` | 400 | max_tokens | | "max_tokens" must be at least 1, got -1
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","temperature":-0.5}` | 400 | temperature | | "temperature" must be between 0 and 2, got -0.5
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","stop":["a","b","c","d","e"]}` | 400 | stop | | "stop" takes at most 4 sequences, got 5
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","n":200}` | 400 | n | | "n" must be between 1 and 128 (PUNA_MAX_CHOICES), got 200
            POST | /v1/completions      | `{"model":"scripted","prompt":"x","options":{"num_ctx":-1}}` | 400 | num_ctx | | invalid option num_ctx: must be between 1 and 262144 (PUNA_MAX_NUM_CTX), got -1
            POST | /v1/completions      | `{"model":"broken","prompt":"x"}`       | 500 | | | cannot load the model: /nonexistent/broken.gguf: no such file
            GET  | /v1/completions      |                                         | 405 | | method_not_allowed | 405 method not allowed: GET /v1/completions
            POST | /v1/embeddings       | `{"input":"x"}`                         | 400 | model | | model is required
            POST | /v1/embeddings       | `{"model":"nope","input":"x"}`          | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/embeddings       | `{"model":"scripted"}`                  | 400 | input | | "input" is required
            POST | /v1/embeddings       | `{"model":"scripted","input":""}`       | 400 | input | | "input" must not be empty
            POST | /v1/embeddings       | `{"model":"scripted","input":[]}`       | 400 | input | | "input" must not be an empty array
            POST | /v1/embeddings       | `{"model":"scripted","input":["a",""]}` | 400 | input | | "input[1]" must not be empty
            POST | /v1/embeddings       | `{"model":"scripted","input":5}`        | 400 | input | | invalid value for "input": expected a string, an array of strings, an array of token ids or an array of token-id arrays
            POST | /v1/embeddings       | `{"model":"scripted","input":[[1],"a"]}` | 400 | input | | invalid value for "input": expected a string, an array of strings, an array of token ids or an array of token-id arrays
            POST | /v1/embeddings       | `{"model":"scripted","input":[1,-1]}`   | 400 | input | | invalid value for "input[1]": expected a token id, got a number (-1)
            POST | /v1/embeddings       | `{"model":"scripted","input":[[1],[]]}` | 400 | input | | "input[1]" must not be empty
            POST | /v1/embeddings       | `{"model":"scripted","input":"x","encoding_format":"hex"}` | 400 | encoding_format | | invalid value for "encoding_format": expected "float" or "base64", got "hex"
            POST | /v1/embeddings       | `{"model":"scripted","input":"x","dimensions":0}` | 400 | dimensions | | "dimensions" must be at least 1, got 0
            POST | /v1/embeddings       | `{"model":"scripted","input":"x","dimensions":"all"}` | 400 | dimensions | | invalid value for "dimensions": expected an integer, got a string ("all")
            POST | /v1/embeddings       | `{"model":"scripted","input":"x","options":{"num_ctx":"big"}}` | 400 | options.num_ctx | | invalid value for "options.num_ctx": expected an integer, got a string ("big")
            POST | /v1/embeddings       | `{"model":"broken","input":"x"}`        | 500 | | | cannot load the model: /nonexistent/broken.gguf: no such file
            GET  | /v1/embeddings       |                                         | 405 | | method_not_allowed | 405 method not allowed: GET /v1/embeddings
            GET  | /v1/models/nope      |                                         | 404 | model | model_not_found | model 'nope' not found
            GET  | /v1/models/..%2Fetc  |                                         | 404 | model | model_not_found | model '../etc' not found
            POST | /v1/models           | `{}`                                    | 405 | | method_not_allowed | 405 method not allowed: POST /v1/models
            DELETE | /v1/models/scripted |                                        | 405 | | method_not_allowed | 405 method not allowed: DELETE /v1/models/scripted
            GET  | /v1/unknown          |                                         | 404 | | | 404 page not found: GET /v1/unknown
            POST | /v1                  | `{}`                                    | 404 | | | 404 page not found: POST /v1
            POST | /chat/completions    | `{"model":"nope","messages":[{"role":"user","content":"x"}]}` | 404 | model | model_not_found | model 'nope' not found
            GET  | /chat/completions    |                                         | 405 | | method_not_allowed | 405 method not allowed: GET /chat/completions
            POST | /completions         | `{"model":"scripted","prompt":5}`       | 400 | prompt | | invalid value for "prompt": expected a string, an array of strings, an array of token ids or an array of token-id arrays, got a number (5)
            POST | /embeddings          | `{"model":"scripted","input":""}`       | 400 | input | | "input" must not be empty
            GET  | /models/nope         |                                         | 404 | model | model_not_found | model 'nope' not found
            """)
    void badInput(String method, String path, String body, int status, String param, String code, String message,
                  VertxTestContext ctx) {
        expectError(ctx, HttpMethod.valueOf(method), path, body == null ? null : body.replace("MSG", MSG), status,
                param, code, message);
    }

    @Test
    void oversizedBodiesAre413(VertxTestContext ctx) {
        String big = "{\"model\":\"scripted\",\"prompt\":\"" + "x".repeat((int) BODY_LIMIT) + "\"}";
        expectError(ctx, HttpMethod.POST, "/v1/completions", big, 413, null, "request_too_large",
                "request body is larger than 4096 bytes (PUNA_MAX_BODY_SIZE)");
    }

    @Test
    void ollamaPathsKeepOllamasFormat(VertxTestContext ctx) {
        call(HttpMethod.GET, "/api/nope", null).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(404, r.status());
            assertEquals("{\"error\":\"404 page not found: GET /api/nope\"}", r.body());
            ctx.completeNow();
        })));
    }

    // ---- models ----

    @Test
    void modelsListTheCatalog(VertxTestContext ctx) {
        call(HttpMethod.GET, "/v1/models", null).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(200, r.status());
            assertEquals("application/json; charset=utf-8", r.headers().get("Content-Type"));
            long created = TestCatalog.MODIFIED.getEpochSecond();
            assertEquals(Http.JSON.readTree("""
                    {"object":"list","data":[
                      {"id":"scripted:latest","object":"model","created":%d,"owned_by":"library"},
                      {"id":"broken:latest","object":"model","created":%d,"owned_by":"library"},
                      {"id":"alice/coder:7b","object":"model","created":%d,"owned_by":"alice"}]}
                    """.formatted(created, created, created)), r.json());
            ctx.completeNow();
        })));
    }

    @Test
    void aModelByItsId(VertxTestContext ctx) {
        long created = TestCatalog.MODIFIED.getEpochSecond();
        call(HttpMethod.GET, "/v1/models/scripted", null).compose(r -> {
            ctx.verify(() -> {
                assertEquals(200, r.status(), r.body());
                assertEquals(Http.JSON.readTree("{\"id\":\"scripted\",\"object\":\"model\",\"created\":" + created
                        + ",\"owned_by\":\"library\"}"), r.json());
            });
            // Names with a namespace and a tag, as clients send them: raw or percent-encoded.
            return call(HttpMethod.GET, "/v1/models/alice/coder:7b", null);
        }).compose(r -> {
            ctx.verify(() -> {
                assertEquals(200, r.status(), r.body());
                assertEquals("alice/coder:7b", r.json().get("id").asText());
                assertEquals("alice", r.json().get("owned_by").asText());
            });
            return call(HttpMethod.GET, "/models/alice%2Fcoder%3A7b", null);
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(200, r.status(), r.body());
            assertEquals("alice/coder:7b", r.json().get("id").asText());
            ctx.completeNow();
        })));
    }
}
