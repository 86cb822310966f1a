package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.testkit.RpcWorker;
import dev.puna.testkit.TestModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PUNA_RPC_SERVERS}: models split over two llama.cpp rpc-server workers on loopback ports, a request's
 * {@code rpc_servers} option choosing among them (or none), and a worker killed mid-stream ending that stream with an
 * error line while the server goes on serving local models.
 */
class RpcEndToEndTest {
    @TempDir
    Path dir;

    private static String hello(String options) {
        return "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,\"options\":{\"temperature\":0"
                + options + "}}";
    }

    @Test
    void theScriptedModelAnswersExactlyFromItsWorkersAndRequestsPickAmongThem() throws Exception {
        try (RpcWorker a = RpcWorker.start(dir); RpcWorker b = RpcWorker.start(dir);
             ScriptedServer s = new ScriptedServer(ServerConfig.builder().rpcServers(a.endpoint() + "," + b.endpoint()))) {
            Http.Response both = s.http.post("/api/generate", hello(""));
            assertEquals(200, both.status(), both.body());
            assertEquals(TestModels.HELLO_COMPLETION, both.json().get("response").asText());
            assertTrue(a.log().contains("Accepted client connection"), a.log());
            assertTrue(b.log().contains("Accepted client connection"), b.log());

            Http.Response one = s.http.post("/api/generate", hello(",\"rpc_servers\":\"" + b.endpoint() + "\""));
            assertEquals(200, one.status(), one.body());
            assertEquals(TestModels.HELLO_COMPLETION, one.json().get("response").asText());
            Http.Response local = s.http.post("/api/generate", hello(",\"rpc_servers\":\"\""));
            assertEquals(TestModels.HELLO_COMPLETION, local.json().get("response").asText());

            Http.Response other = s.http.post("/api/generate", hello(",\"rpc_servers\":\"127.0.0.1:9\""));
            assertEquals(400, other.status());
            assertEquals("invalid option rpc_servers: 127.0.0.1:9 is not one of the server's RPC workers "
                    + "(PUNA_RPC_SERVERS: " + a.endpoint() + "," + b.endpoint() + ")", other.json().get("error").asText());
            Http.Response typed = s.http.post("/api/generate", hello(",\"rpc_servers\":5"));
            assertEquals(400, typed.status());
            assertEquals("invalid value for \"options.rpc_servers\": expected a string (host:port,...), got a number (5)",
                    typed.json().get("error").asText());

            // A Modelfile's PARAMETER rpc_servers is the model's default, checked like a request's.
            s.catalog.add(modelfile("on-b", b.endpoint())).add(modelfile("elsewhere", "10.9.9.9:50052"));
            Http.Response onB = s.http.post("/api/generate", hello("").replace("\"scripted\"", "\"on-b\""));
            assertEquals(200, onB.status(), onB.body());
            assertEquals(TestModels.HELLO_COMPLETION, onB.json().get("response").asText());
            Http.Response elsewhere = s.http.post("/api/generate", hello("").replace("\"scripted\"", "\"elsewhere\""));
            assertEquals(400, elsewhere.status(), elsewhere.body());
            Http.Response malformed = s.http.post("/v1/completions", "{\"model\":\"scripted\",\"prompt\":\"Hello\","
                    + "\"rpc_servers\":\"x\"}");
            assertEquals(200, malformed.status(), "OpenAI's routes take no Ollama options: " + malformed.body());
        }
    }

    private static CatalogModel modelfile(String name, String rpcServers) {
        return new CatalogModel(name + ":latest", ScriptedServer.MODEL, "sha256:" + "ab".repeat(32), 1,
                TestCatalog.MODIFIED, TestCatalog.DETAILS, null, null, Map.of("rpc_servers", rpcServers), null, null);
    }

    @Test
    void aWorkerKilledMidStreamEndsTheStreamWithAnErrorAndLocalModelsGoOn() throws Exception {
        try (RpcWorker a = RpcWorker.start(dir); RpcWorker b = RpcWorker.start(dir);
             ScriptedServer s = new ScriptedServer(ServerConfig.builder().rpcServers(a.endpoint() + "," + b.endpoint()),
                     4096)) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(s.server.url() + "/api/generate"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"scripted\",\"prompt\":\"Count:\",\"raw\":true,\"options\":{\"temperature\":0,"
                                    + "\"num_predict\":4000}}")).build();
            HttpResponse<Stream<String>> streamed = HttpClient.newHttpClient().send(request,
                    HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, streamed.statusCode());
            List<String> rest;
            try (Stream<String> lines = streamed.body()) {
                Iterator<String> it = lines.iterator();
                assertEquals(" one", Http.JSON.readTree(it.next()).get("response").asText());
                b.kill();
                rest = new java.util.ArrayList<>();
                it.forEachRemaining(rest::add);
            }
            JsonNode last = Http.JSON.readTree(rest.getLast());
            assertEquals("RPC worker " + b.endpoint() + " was lost: Remote RPC server crashed or returned malformed "
                    + "response", last.get("error").asText(), String.join("\n", rest));
            assertTrue(rest.size() < 3999, "the stream went on after the kill");

            // The same model on its workers: refused with the reason, not a hang; locally it still answers.
            Http.Response again = s.http.post("/api/generate", hello(""));
            assertEquals(502, again.status(), again.body());
            assertTrue(again.json().get("error").asText().startsWith("RPC worker " + b.endpoint() + " was lost earlier"),
                    again.body());
            Http.Response local = s.http.post("/api/generate", hello(",\"rpc_servers\":\"\""));
            assertEquals(200, local.status(), local.body());
            assertEquals(TestModels.HELLO_COMPLETION, local.json().get("response").asText());
            // The surviving worker still holds the lost model's connection, and rpc-server serves one client at a time.
            Http.Response survivor = s.http.post("/api/generate", hello(",\"rpc_servers\":\"" + a.endpoint() + "\""));
            assertEquals(502, survivor.status(), survivor.body());
            assertEquals("RPC worker " + a.endpoint() + " is still connected to a model that lost another worker "
                    + "(rpc-server serves one client at a time); restart Puna to use it again",
                    survivor.json().get("error").asText());
        }
    }

    @Test
    void aMalformedWorkerListIsRefusedAtStart() {
        ServerConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ServerConfigException.class,
                () -> ServerConfig.builder().rpcServers("127.0.0.1"));
        assertTrue(e.getMessage().contains("PUNA_RPC_SERVERS"), e.getMessage());
        assertTrue(e.getMessage().contains("invalid RPC worker '127.0.0.1': expected host:port"), e.getMessage());
    }
}
