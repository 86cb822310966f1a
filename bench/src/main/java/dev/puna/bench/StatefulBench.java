package dev.puna.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The stateful APIs' cost, measured from the client's side on one Puna server: a streamed Assistants run next to a
 * streamed chat completion of the same conversation (time to the first token and decode rate after it, interleaved
 * round by round, every prompt fresh so neither finds it in a KV cache), and the second run on a thread with a long
 * history next to its first run (the KV cache of the first run must make the second one's first token come fast).
 *
 * <pre>StatefulBench --url http://127.0.0.1:18082 --model bench [--rounds 7] [--tokens 64] [--history 1500]</pre>
 */
public final class StatefulBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String url;
    private final String model;
    private final Random random = new Random(7);

    private StatefulBench(String url, String model) {
        this.url = url;
        this.model = model;
    }

    /** First-token and last-token times of one streamed request, in nanoseconds from its start, and its tokens. */
    private record Timing(long ttft, long last, int tokens) {
        double decode() {
            return tokens <= 1 || last <= ttft ? 0 : (tokens - 1) * 1e9 / (last - ttft);
        }
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String model = "bench";
        int rounds = 7;
        int tokens = 64;
        int history = 1500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--model" -> model = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--history" -> history = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        new StatefulBench(url, model).run(rounds, tokens, history);
    }

    private void run(int rounds, int tokens, int history) throws Exception {
        String assistant = post("/v1/assistants", "{\"model\":\"" + model + "\",\"temperature\":0}").get("id").asText();
        // One warm-up of each path, as a user's first request would be followed by more.
        chat(words(100), tokens);
        runOn(thread(words(100)), assistant, tokens);

        List<Double> chatTtft = new ArrayList<>();
        List<Double> runTtft = new ArrayList<>();
        List<Double> chatDecode = new ArrayList<>();
        List<Double> runDecode = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            Timing c = chat(words(100), tokens);
            Timing u = runOn(thread(words(100)), assistant, tokens);
            chatTtft.add(c.ttft() / 1e6);
            runTtft.add(u.ttft() / 1e6);
            chatDecode.add(c.decode());
            runDecode.add(u.decode());
        }
        double ct = Stats.median(chatTtft);
        double rt = Stats.median(runTtft);
        double cd = Stats.median(chatDecode);
        double rd = Stats.median(runDecode);
        System.out.printf(Locale.ROOT, "TTFT p50, 100-word prompt: chat %.1f ms, run %.1f ms, run/chat %.3f "
                + "(target <= 1.10)%n", ct, rt, rt / ct);
        System.out.printf(Locale.ROOT, "decode p50: chat %.1f tok/s, run %.1f tok/s, run/chat %.3f (target >= 0.97)%n",
                cd, rd, rd / cd);

        List<Double> first = new ArrayList<>();
        List<Double> second = new ArrayList<>();
        int promptTokens = 0;
        for (int r = 0; r < rounds; r++) {
            String t = thread(words(history));
            first.add(runOn(t, assistant, 8).ttft() / 1e6);
            promptTokens = get("/v1/threads/" + t + "/runs?limit=1").path("data").path(0).path("usage")
                    .path("prompt_tokens").asInt();
            post("/v1/threads/" + t + "/messages", "{\"role\":\"user\",\"content\":\"" + words(8) + "\"}");
            second.add(runOn(t, assistant, 8).ttft() / 1e6);
        }
        double f = Stats.median(first);
        double s = Stats.median(second);
        System.out.printf(Locale.ROOT, "thread with a %d-token history: first run TTFT p50 %.1f ms, second run "
                + "%.1f ms, second/first %.3f%n", promptTokens, f, s, s / f);
    }

    /** {@code n} words no KV cache holds yet. */
    private String words(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : " ").append(Integer.toString(random.nextInt(1 << 20), 36));
        }
        return b.toString();
    }

    private String thread(String message) throws IOException, InterruptedException {
        return post("/v1/threads", "{\"messages\":[{\"role\":\"user\",\"content\":\"" + message + "\"}]}").get("id")
                .asText();
    }

    private Timing chat(String message, int tokens) throws IOException, InterruptedException {
        return stream("/v1/chat/completions", "{\"model\":\"" + model + "\",\"temperature\":0,\"stream\":true,"
                + "\"max_tokens\":" + tokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + message + "\"}]}",
                StatefulBench::chatTokens);
    }

    /** A chat chunk with text counts (the first chunk only names the role; the last only has finish_reason). */
    private static int chatTokens(String line) {
        if (!line.startsWith("data: {")) {
            return 0;
        }
        try {
            JsonNode delta = JSON.readTree(line.substring(6)).path("choices").path(0).path("delta");
            return delta.path("content").asText("").isEmpty() ? 0 : 1;
        } catch (IOException e) {
            return 0;
        }
    }

    private Timing runOn(String thread, String assistant, int tokens) throws IOException, InterruptedException {
        return stream("/v1/threads/" + thread + "/runs", "{\"assistant_id\":\"" + assistant + "\",\"stream\":true,"
                + "\"max_completion_tokens\":" + tokens + "}",
                line -> line.startsWith("data: ") && line.contains("\"thread.message.delta\"") ? 1 : 0);
    }

    private interface TokenCounter {
        int tokens(String line);
    }

    /** Streams a POST and times its events: the first and last that carry text, and how many did. */
    private Timing stream(String path, String body, TokenCounter counter) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IOException(path + " answered " + response.statusCode());
        }
        long firstToken = 0;
        long lastToken = 0;
        int n = 0;
        for (Iterator<String> it = response.body().iterator(); it.hasNext(); ) {
            String line = it.next();
            int t = counter.tokens(line);
            if (t > 0) {
                long now = System.nanoTime();
                if (n == 0) {
                    firstToken = now;
                }
                lastToken = now;
                n += t;
            }
        }
        return new Timing(firstToken - start, lastToken - start, n);
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private JsonNode post(String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        ObjectNode o = (ObjectNode) JSON.readTree(r.body());
        return o;
    }
}
