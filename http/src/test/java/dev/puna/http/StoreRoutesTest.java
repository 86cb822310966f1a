package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.internal.ModelScheduler;
import dev.puna.http.internal.ServerContext;
import dev.puna.http.internal.ServerRouter;
import dev.puna.http.internal.StoreCatalog;
import dev.puna.http.internal.StoreServices;
import dev.puna.http.internal.ollama.OllamaRoutes;
import dev.puna.runtime.ModelLoadException;
import dev.puna.store.ModelStore;
import dev.puna.store.ProgressListener;
import dev.puna.store.RegistryClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The model-management routes over real HTTP on a Vert.x instance from {@link VertxExtension}, over a real store
 * in a temporary directory holding the scripted model as {@code scripted}: every route's bad input (invalid and
 * path-traversing names and digests, missing and mistyped fields, unknown quantization types, wrong methods) with
 * its exact status and error body, and that none of it changed the store.
 */
@ExtendWith(VertxExtension.class)
class StoreRoutesTest {
    private static final String ZEROS = "0".repeat(64);
    private static final long BODY_LIMIT = 4096;

    private static Path root;
    private static ModelStore store;
    private static ExecutorService operations;
    private static ModelScheduler scheduler;
    private static java.net.http.HttpClient client;
    private static int port;

    @BeforeAll
    static void start(Vertx vertx, VertxTestContext ctx) throws IOException {
        root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "store-routes");
        store = ModelStore.open(root.resolve("models"));
        store.register("scripted", ScriptedServer.MODEL, ProgressListener.NONE);
        operations = Executors.newCachedThreadPool();
        scheduler = new ModelScheduler((m, o) -> {
            throw new ModelLoadException(m.path(), "not loaded in this test");
        }, (m, o) -> 1, 3, 1 << 30, Executors.newCachedThreadPool(), Executors.newSingleThreadScheduledExecutor());
        ServerConfig config = ServerConfig.builder().port(0).maxBodyBytes(BODY_LIMIT).build();
        ServerContext sc = new ServerContext(vertx, config, new StoreCatalog(store), scheduler,
                new StoreServices(store, RegistryClient.create(store), operations));
        client = java.net.http.HttpClient.newHttpClient();
        vertx.createHttpServer().requestHandler(ServerRouter.create(vertx, config, List.of(new OllamaRoutes(sc))))
                .listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
                    port = s.actualPort();
                    ctx.completeNow();
                }));
    }

    @AfterAll
    static void stop() {
        scheduler.close();
        operations.shutdownNow();
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(body, e);
            }
        }
    }

    static Future<Reply> call(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body)).build();
        return Future.fromCompletionStage(client.sendAsync(request, BodyHandlers.ofString()).thenApply(r ->
                new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body())));
    }

    // ---- bad input, every new route: method | path | body | status | exact error message ----

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            POST   | /api/pull   |                                              | 400 | missing request body
            POST   | /api/pull   | `[]`                                         | 400 | request body must be a JSON object, got an array
            POST   | /api/pull   | `{}`                                         | 400 | model is required
            POST   | /api/pull   | `{"model":""}`                               | 400 | model is required
            POST   | /api/pull   | `{"model":"../x"}`                           | 400 | invalid model name '../x': the namespace must start with a letter, a digit or '_'
            POST   | /api/pull   | `{"name":"a/../../x"}`                       | 400 | invalid model name 'a/../../x': the host may only contain letters, digits, '_', '-', '.' and ':'
            POST   | /api/pull   | `{"model":"/etc/passwd"}`                    | 400 | invalid model name '/etc/passwd': the host is empty
            POST   | /api/pull   | `{"model":"x%2F..%2Fy"}`                     | 400 | invalid model name 'x%2F..%2Fy': the model may only contain letters, digits, '_', '-' and '.'
            POST   | /api/pull   | `{"model":"x:../y"}`                         | 400 | invalid model name 'x:../y': the namespace may only contain letters, digits, '_', '-'
            POST   | /api/pull   | `{"model":"x","insecure":"yes"}`             | 400 | invalid value for "insecure": expected a boolean, got a string ("yes")
            POST   | /api/pull   | `{"model":"x","stream":1}`                   | 400 | invalid value for "stream": expected a boolean, got a number (1)
            POST   | /api/pull   | `{"model":5}`                                | 400 | invalid value for "model": expected a string, got a number (5)
            POST   | /api/pull   | `{"model":"http://127.0.0.1:1/a/b"}`          | 400 | insecure protocol http: set 'insecure' to pull over plain HTTP
            GET    | /api/pull   |                                              | 405 | 405 method not allowed: GET /api/pull
            POST   | /api/push   | `{}`                                         | 400 | model is required
            POST   | /api/push   | `{"model":"../x"}`                           | 400 | invalid model name '../x': the namespace must start with a letter, a digit or '_'
            POST   | /api/push   | `{"model":"nope"}`                           | 404 | model 'nope' not found
            POST   | /api/push   | `{"model":"nope","stream":false}`            | 404 | model 'nope' not found
            POST   | /api/push   | `{"model":"scripted","insecure":1}`          | 400 | invalid value for "insecure": expected a boolean, got a number (1)
            DELETE | /api/push   | `{}`                                         | 405 | 405 method not allowed: DELETE /api/push
            POST   | /api/create |                                              | 400 | missing request body
            POST   | /api/create | `{"from":"scripted"}`                        | 400 | model is required
            POST   | /api/create | `{"model":"../evil","from":"scripted"}`      | 400 | invalid model name '../evil': the namespace must start with a letter, a digit or '_'
            POST   | /api/create | `{"model":"x"}`                              | 400 | neither 'from' nor 'files' was specified
            POST   | /api/create | `{"model":"x","from":"nope"}`                | 404 | model 'nope' not found
            POST   | /api/create | `{"model":"x","from":"../y"}`                | 400 | invalid model name '../y': the namespace must start with a letter, a digit or '_'
            POST   | /api/create | `{"model":"x","from":5}`                     | 400 | invalid value for "from": expected a string, got a number (5)
            POST   | /api/create | `{"model":"x","from":"scripted","files":{"m.gguf":"sha256:ZEROS"}}` | 400 | give either 'from' or 'files', not both
            POST   | /api/create | `{"model":"x","files":{"m.gguf":"sha256:abc"}}` | 400 | invalid digest 'sha256:abc': expected sha256:<64 lowercase hex digits>
            POST   | /api/create | `{"model":"x","files":{"m.gguf":"sha256:../../etc/passwd"}}` | 400 | invalid digest 'sha256:../../etc/passwd': expected sha256:<64 lowercase hex digits>
            POST   | /api/create | `{"model":"x","files":{"m.gguf":5}}`         | 400 | invalid value for "files.m.gguf": expected a digest string such as "sha256:<64 hex digits>", got a number (5)
            POST   | /api/create | `{"model":"x","files":"m.gguf"}`             | 400 | invalid value for "files": expected an object, got a string ("m.gguf")
            POST   | /api/create | `{"model":"x","files":{"../m.gguf":"sha256:ZEROS"}}` | 400 | invalid file name "../m.gguf" in "files": a file name without directories is expected
            POST   | /api/create | `{"model":"x","files":{"/etc/m.gguf":"sha256:ZEROS"}}` | 400 | invalid file name "/etc/m.gguf" in "files": a file name without directories is expected
            POST   | /api/create | `{"model":"x","files":{"m.gguf":"sha256:ZEROS"}}` | 400 | blob sha256:ZEROS (m.gguf) not found; upload it first
            POST   | /api/create | `{"model":"x","from":"scripted","adapters":{"a.gguf":"sha256-ZEROS"}}` | 400 | blob sha256:ZEROS (a.gguf) not found; upload it first
            POST   | /api/create | `{"model":"x","from":"scripted","adapters":{"..":"sha256-ZEROS"}}` | 400 | invalid file name ".." in "adapters": a file name without directories is expected
            POST   | /api/create | `{"model":"x","from":"scripted","quantize":"q3_x"}` | 400 | unsupported quantization type 'q3_x': supported types are q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K_S, q3_K_M, q3_K_L, q4_K_S, q4_K_M, q5_K_S, q5_K_M, q6_K
            POST   | /api/create | `{"model":"x","from":"scripted","quantization":"f16"}` | 400 | unsupported quantization type 'f16': supported types are q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K_S, q3_K_M, q3_K_L, q4_K_S, q4_K_M, q5_K_S, q5_K_M, q6_K
            POST   | /api/create | `{"model":"x","from":"scripted","quantize":8}` | 400 | invalid value for "quantize": expected a string, got a number (8)
            POST   | /api/create | `{"model":"x","from":"scripted","parameters":{"nope":1}}` | 400 | unknown parameter 'nope'
            POST   | /api/create | `{"model":"x","from":"scripted","parameters":{"stop":[1]}}` | 400 | invalid value for "parameters.stop[0]": expected a string, got a number (1)
            POST   | /api/create | `{"model":"x","from":"scripted","parameters":{"top_k":{}}}` | 400 | invalid value for "parameters.top_k": expected a string, number, boolean or array of strings, got an object
            POST   | /api/create | `{"model":"x","from":"scripted","parameters":[]}` | 400 | invalid value for "parameters": expected an object, got an array
            POST   | /api/create | `{"model":"x","from":"scripted","messages":[{"content":"hi"}]}` | 400 | messages[0].role is required
            POST   | /api/create | `{"model":"x","from":"scripted","messages":[{"role":"tool","content":"hi"}]}` | 400 | message role must be one of "system", "user", or "assistant", not "tool"
            POST   | /api/create | `{"model":"x","from":"scripted","messages":[{"role":"user","content":1}]}` | 400 | invalid value for "messages[0].content": expected a string, got a number (1)
            POST   | /api/create | `{"model":"x","from":"scripted","messages":"hi"}` | 400 | invalid value for "messages": expected an array, got a string ("hi")
            POST   | /api/create | `{"model":"x","from":"scripted","license":5}` | 400 | invalid value for "license": expected a string or an array of strings, got a number (5)
            POST   | /api/create | `{"model":"x","from":"scripted","license":["a",2]}` | 400 | invalid value for "license[1]": expected a string, got a number (2)
            POST   | /api/create | `{"model":"x","from":"scripted","template":5}` | 400 | invalid value for "template": expected a string, got a number (5)
            POST   | /api/create | `{"model":"x","from":"scripted","system":[]}` | 400 | invalid value for "system": expected a string, got an array
            POST   | /api/create | `{"model":"x","from":"scripted","template":"{{ define \\"t\\" }}x{{ end }}"}` | 400 | invalid template: unsupported template action {{ define "t" }}: named templates ({{ define }}) are not supported
            POST   | /api/create | `{"model":"x","from":"scripted","template":"{{ range .Messages }}{{ .Nope }}{{ end }}"}` | 400 | invalid template: can't evaluate field Nope in type api.Message
            POST   | /api/create | `{"model":"x","from":"scripted","template":"{{ .Prompt | upper }}"}` | 400 | `invalid template: function "upper" not defined in {{ .Prompt | upper }}`
            POST   | /api/create | `{"model":"x","modelfile":"FROM scripted\\nTEMPLATE {{ if .System }}"}` | 400 | invalid template: missing {{ end }} for {{ if .System }}
            POST   | /api/create | `{"model":"x","modelfile":"FROM scripted\\nPARAMETER bogus 1"}` | 400 | (line 2): unknown parameter 'bogus'
            POST   | /api/create | `{"model":"x","modelfile":"FROM scripted\\nFETCH it"}` | 400 | (line 2): unknown command 'FETCH': must be one of FROM, PARAMETER, TEMPLATE, SYSTEM, ADAPTER, LICENSE or MESSAGE
            POST   | /api/create | `{"model":"x","modelfile":"SYSTEM hi"}`      | 400 | no FROM line
            POST   | /api/create | `{"model":"x","modelfile":"FROM /etc/passwd"}` | 400 | (line 1): FROM /etc/passwd: the server does not read files a client names; upload the file (POST /api/blobs/sha256:<hex>) and write FROM @sha256:<hex>, or send it in 'files'
            POST   | /api/create | `{"model":"x","modelfile":"FROM scripted\\nADAPTER ./lora.gguf"}` | 400 | (line 2): ADAPTER ./lora.gguf: the server does not read files a client names; upload the file (POST /api/blobs/sha256:<hex>) and write ADAPTER @sha256:<hex>, or send it in 'adapters'
            POST   | /api/create | `{"model":"x","modelfile":"FROM @sha256:abc"}` | 400 | (line 1): FROM @sha256:abc: invalid digest 'sha256:abc': expected sha256:<64 lowercase hex digits>
            POST   | /api/create | `{"model":"x","modelfile":"FROM @sha256:ZEROS"}` | 400 | blob sha256:ZEROS (model.gguf) not found; upload it first
            POST   | /api/create | `{"model":"x","modelfile":"FROM nope"}`      | 404 | model 'nope' not found
            POST   | /api/create | `{"model":"x","modelfile":"FROM scripted","from":"scripted"}` | 400 | give either "modelfile" or "from", not both
            POST   | /api/create | `{"model":"x","modelfile":"FROM scripted","quantize":"q3_X"}` | 400 | unsupported quantization type 'q3_X': supported types are q4_0, q4_1, q5_0, q5_1, q8_0, q2_K, q3_K_S, q3_K_M, q3_K_L, q4_K_S, q4_K_M, q5_K_S, q5_K_M, q6_K
            GET    | /api/create |                                              | 405 | 405 method not allowed: GET /api/create
            POST   | /api/blobs/sha256:abc |                                    | 400 | invalid digest 'sha256:abc': expected sha256:<64 lowercase hex digits>
            POST   | /api/blobs/sha256:ZEROSUPPER |                             | 400 | invalid digest 'sha256:ZEROSUPPER': expected sha256:<64 lowercase hex digits>
            POST   | /api/blobs/sha512:ZEROS |                                  | 400 | invalid digest 'sha512:ZEROS': expected sha256:<64 lowercase hex digits>
            POST   | /api/blobs/..%2F..%2Fetc%2Fpasswd |                        | 400 | invalid digest '../../etc/passwd': expected sha256:<64 lowercase hex digits>
            POST   | /api/blobs/sha256:..%2F..%2FZEROS |                        | 400 | invalid digest 'sha256:../../ZEROS': expected sha256:<64 lowercase hex digits>
            POST   | /api/blobs/%2e%2e |                                        | 404 | 404 page not found: POST /api/blobs/%2e%2e
            POST   | /api/blobs/sha256:ZEROS | `not the content`                | 400 | digest mismatch for uploaded blob: expected sha256:ZEROS, got sha256:bd4b9053802fd62db1df156d942233cc78f7c9589a10270adcace8d0bcfbebc3
            GET    | /api/blobs/sha256:ZEROS |                                  | 405 | 405 method not allowed: GET /api/blobs/sha256:ZEROS
            DELETE | /api/blobs/sha256:ZEROS |                                  | 405 | 405 method not allowed: DELETE /api/blobs/sha256:ZEROS
            POST   | /api/copy   |                                              | 400 | missing request body
            POST   | /api/copy   | `{}`                                         | 400 | source is required
            POST   | /api/copy   | `{"source":"scripted"}`                      | 400 | destination is required
            POST   | /api/copy   | `{"source":"scripted","destination":""}`     | 400 | destination is required
            POST   | /api/copy   | `{"source":"../x","destination":"y"}`        | 400 | invalid model name '../x': the namespace must start with a letter, a digit or '_'
            POST   | /api/copy   | `{"source":"scripted","destination":"a/../../b"}` | 400 | invalid model name 'a/../../b': the host may only contain letters, digits, '_', '-', '.' and ':'
            POST   | /api/copy   | `{"source":"scripted","destination":"x/y/z/w"}` | 400 | invalid model name 'x/y/z/w': the host may only contain letters, digits, '_', '-', '.' and ':'
            POST   | /api/copy   | `{"source":"nope","destination":"y"}`        | 404 | model 'nope' not found
            POST   | /api/copy   | `{"source":5,"destination":"y"}`             | 400 | invalid value for "source": expected a string, got a number (5)
            GET    | /api/copy   |                                              | 405 | 405 method not allowed: GET /api/copy
            DELETE | /api/delete |                                              | 400 | missing request body
            DELETE | /api/delete | `{}`                                         | 400 | model is required
            DELETE | /api/delete | `{"model":"../x"}`                           | 400 | invalid model name '../x': the namespace must start with a letter, a digit or '_'
            DELETE | /api/delete | `{"name":"x/../../y"}`                       | 400 | invalid model name 'x/../../y': the host may only contain letters, digits, '_', '-', '.' and ':'
            DELETE | /api/delete | `{"model":"nope"}`                           | 404 | model 'nope' not found
            DELETE | /api/delete | `{"model":"nope:../../x"}`                   | 400 | invalid model name 'nope:../../x': the namespace must start with a letter, a digit or '_'
            POST   | /api/delete | `{"model":"scripted"}`                       | 405 | 405 method not allowed: POST /api/delete
            GET    | /api/delete |                                              | 405 | 405 method not allowed: GET /api/delete
            POST   | /api/show   | `{"model":"nope"}`                           | 404 | model 'nope' not found
            """)
    void badInput(String method, String path, String body, int status, String message, VertxTestContext ctx) {
        String p = path.replace("ZEROSUPPER", "A".repeat(64)).replace("ZEROS", ZEROS);
        String b = body == null ? null : body.replace("ZEROS", ZEROS);
        String m = message.replace("ZEROSUPPER", "A".repeat(64)).replace("ZEROS", ZEROS);
        call(method, p, b).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(status, r.status(), r.body());
            assertEquals("application/json; charset=utf-8", r.contentType());
            assertEquals(Http.JSON.createObjectNode().put("error", m), r.json());
            assertUnchanged();
            ctx.completeNow();
        })));
    }

    @ParameterizedTest(name = "HEAD {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/blobs/sha256:ZEROS             | 404
            /api/blobs/sha256-ZEROS             | 404
            /api/blobs/sha256:abc               | 400
            /api/blobs/..%2F..%2Fetc%2Fpasswd   | 400
            /api/blobs/sha256:..%2FZEROS        | 400
            """)
    void headOfBlobs(String path, int status, VertxTestContext ctx) {
        call("HEAD", path.replace("ZEROS", ZEROS), null).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(status, r.status());
            assertEquals("", r.body());
            ctx.completeNow();
        })));
    }

    @Test
    void headOfAStoredBlobIs200(VertxTestContext ctx) {
        String digest = store.resolve("scripted").manifest().layers().getFirst().digest().toString();
        call("HEAD", "/api/blobs/" + digest, null).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(200, r.status());
            ctx.completeNow();
        })));
    }

    /** A path that climbs out of /api/blobs is normalized by the router (to /etc/passwd) before routing. */
    @Test
    void dotSegmentsNeverReachTheBlobRoute(VertxTestContext ctx) {
        call("POST", "/api/blobs/../../etc/passwd", "x").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(404, r.status(), r.body());
            assertEquals("{\"error\":\"404 page not found: POST /api/blobs/../../etc/passwd\"}", r.body());
            ctx.completeNow();
        })));
    }

    /** The store holds exactly the scripted model's blobs and manifest, as after set-up. */
    private static void assertUnchanged() throws IOException {
        assertEquals(List.of("scripted:latest"), store.list().stream().map(m -> m.name()).toList());
        try (Stream<Path> blobs = Files.list(root.resolve("models/blobs"))) {
            assertEquals(store.resolve("scripted").manifest().blobs().size(), blobs.count());
        }
        assertTrue(Files.notExists(root.resolve("etc")));
    }
}
