package dev.puna.http;

import static dev.puna.http.StoreEndToEndTest.create;
import static dev.puna.http.StoreEndToEndTest.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.puna.store.Digest;
import dev.puna.testkit.TestModels;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote image URLs, opt-in: a host in {@code PUNA_IMAGE_URL_HOSTS} (here a loopback image server of the test's
 * own) is fetched, off the event loop; any other host is refused without a request; a fetch that is not a 200, a
 * redirect (never followed) or a body over the size cap is a 400 naming the field.
 */
@Timeout(120)
class RemoteImageTest {
    private static final int CAP = 64 * 1024;
    @TempDir
    static Path dir;
    private static HttpServer images;
    private static final AtomicInteger fetches = new AtomicInteger();
    private static StoreServer server;

    @BeforeAll
    static void start() throws Exception {
        byte[] png = Base64.getDecoder().decode(VisionEndToEndTest.png(41));
        images = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        images.createContext("/", exchange -> {
            fetches.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/cat.png" -> {
                    exchange.sendResponseHeaders(200, png.length);
                    exchange.getResponseBody().write(png);
                }
                case "/moved.png" -> {
                    exchange.getResponseHeaders().add("Location", "/cat.png");
                    exchange.sendResponseHeaders(302, -1);
                }
                case "/big.png" -> {
                    exchange.sendResponseHeaders(200, CAP + 1);
                    exchange.getResponseBody().write(new byte[CAP + 1]);
                }
                default -> exchange.sendResponseHeaders(404, -1);
            }
            exchange.close();
        });
        images.start();
        String host = "127.0.0.1:" + images.getAddress().getPort();
        server = new StoreServer(dir.resolve("models"), ServerConfig.builder().maxBodyBytes(CAP)
                .imageUrlHosts(Set.of(host)));
        Digest scripted = upload(server.http, ScriptedServer.MODEL);
        Digest projector = upload(server.http, TestModels.scriptedProjector(dir));
        create(server.http, "{\"model\":\"seeing\",\"files\":{\"m.gguf\":\"" + scripted + "\",\"p.gguf\":\""
                + projector + "\"},\"parameters\":{\"temperature\":0}}");
    }

    @AfterAll
    static void stop() {
        server.close();
        images.stop(0);
    }

    private static Http.Response chat(String url) {
        return server.http.post("/v1/chat/completions", "{\"model\":\"seeing\",\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + url + "\"}},"
                + "{\"type\":\"text\",\"text\":\"Hello\"}]}]}");
    }

    private static String base() {
        return "http://127.0.0.1:" + images.getAddress().getPort();
    }

    private static String error(Http.Response r) {
        assertEquals(400, r.status(), r.body());
        return r.json().get("error").get("message").asText();
    }

    @Test
    void anAllowedHostsImageIsFetchedAndSeen() throws Exception {
        Http.Response remote = chat(base() + "/cat.png");
        assertEquals(200, remote.status(), remote.body());
        Http.Response inline = chat("data:image/png;base64," + VisionEndToEndTest.png(41));
        JsonNode a = remote.json();
        JsonNode b = inline.json();
        assertEquals(b.get("usage").get("prompt_tokens"), a.get("usage").get("prompt_tokens"), "the same image");
        assertEquals(TestModels.CHAT_COMPLETION, a.get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void otherHostsAndFailedFetchesAre400s() {
        int before = fetches.get();
        assertEquals("remote image URLs are not fetched: the server downloads nothing a request names (unless its "
                + "host is in PUNA_IMAGE_URL_HOSTS); send the image inline as a data: URL (data:image/png;base64,...)",
                error(chat("http://localhost:" + images.getAddress().getPort() + "/cat.png")));
        assertEquals(before, fetches.get(), "a host not on the list is never asked");
        String field = "messages[0].content[0].image_url.url";
        assertEquals("could not fetch the image at \"" + field + "\": HTTP 404", error(chat(base() + "/nope.png")));
        assertEquals("could not fetch the image at \"" + field + "\": HTTP 302", error(chat(base() + "/moved.png")));
        assertEquals("the image at \"" + field + "\" is larger than " + CAP + " bytes (PUNA_MAX_BODY_SIZE)",
                error(chat(base() + "/big.png")));
    }
}
