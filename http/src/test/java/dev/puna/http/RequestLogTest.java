package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One access-log line per request through Log4j 2: route, model, status, tokens, duration. */
@Timeout(60)
class RequestLogTest {
    private static final String ACCESS = "dev.puna.http.access";
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private AbstractAppender appender;
    private Level before;

    @BeforeEach
    void capture() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        appender = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerConfig access = config.getLoggerConfig(ACCESS);
        before = access.getLevel();
        access.addAppender(appender, Level.INFO, null);
        access.setLevel(Level.INFO);
        ctx.updateLoggers();
    }

    @AfterEach
    void release() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        LoggerConfig access = ctx.getConfiguration().getLoggerConfig(ACCESS);
        access.removeAppender("capture");
        access.setLevel(before);
        ctx.updateLoggers();
        appender.stop();
    }

    private String await(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (String l : lines) {
                if (l.startsWith(prefix)) {
                    return l;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no log line starting with '" + prefix + "' in " + lines);
    }

    @Test
    void eachRequestLogsOneLine() throws Exception {
        try (ScriptedServer s = new ScriptedServer()) {
            s.http.post("/api/generate", "{\"model\":\"scripted\",\"prompt\":\"Hello\",\"raw\":true,\"stream\":false,"
                    + "\"options\":{\"temperature\":0}}");
            String ok = await("INFO POST /api/generate model=scripted status=200 ");
            assertTrue(ok.matches("INFO POST /api/generate model=scripted status=200 prompt_tokens=[12] eval_tokens=4 "
                    + "duration_ms=\\d+\\.\\d request_id=[0-9a-f]{16}"), ok);
            s.http.post("/api/chat", "{\"model\":\"nope\",\"messages\":[]}");
            String missing = await("INFO POST /api/chat");
            assertTrue(missing.matches("INFO POST /api/chat model=nope status=404 prompt_tokens=0 eval_tokens=0 "
                    + "duration_ms=\\d+\\.\\d error=\"model 'nope' not found\" request_id=[0-9a-f]{16}"), missing);
            s.http.get("/api/tags");
            assertTrue(await("INFO GET /api/tags").startsWith("INFO GET /api/tags model=- status=200 "));
            try (RawHttp client = new RawHttp(s.server.port(), 0).post("/api/generate", "{\"model\":\"scripted\","
                    + "\"prompt\":\"Count:\",\"raw\":true,\"options\":{\"temperature\":0}}")) {
                client.line();
            }
            String gone = await("INFO POST /api/generate model=scripted status=499");
            assertTrue(gone.contains("status=499"), gone);
            assertEquals(4, lines.size(), lines.toString());
        }
    }

    @Test
    void aSaneClientRequestIdIsKeptAnythingElseIsReplacedAndTheIdComesBack() throws Exception {
        try (ScriptedServer s = new ScriptedServer()) {
            Http.Response kept = s.http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(s.server.url() + "/api/tags?secret=q1")).header("X-Request-Id", "lb-7f3a.9:x")
                    .build());
            assertEquals("lb-7f3a.9:x", kept.header("X-Request-Id"));
            assertTrue(await("INFO GET /api/tags").endsWith(" request_id=lb-7f3a.9:x"), lines.toString());
            for (String bad : new String[] {"has space", "x".repeat(65), "-leading-dash", "a/b", "{json}"}) {
                Http.Response replaced = s.http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(s.server.url() + "/api/version")).header("X-Request-Id", bad).build());
                assertEquals(200, replaced.status());
                assertTrue(replaced.header("X-Request-Id").matches("[0-9a-f]{16}"), bad + " -> "
                        + replaced.header("X-Request-Id"));
            }
            // Errors carry it too, and generated ids differ.
            Http.Response a = s.http.get("/api/nowhere");
            Http.Response b = s.http.get("/api/nowhere");
            assertEquals(404, a.status());
            assertTrue(a.header("X-Request-Id").matches("[0-9a-f]{16}"));
            assertTrue(!a.header("X-Request-Id").equals(b.header("X-Request-Id")));
            assertTrue(lines.stream().noneMatch(l -> l.contains("secret")), "no query string logged: " + lines);
        }
    }
}
