package dev.puna.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded soak of a running Puna server: {@code clients} concurrent clients for {@code warmup + seconds}, each looping
 * over a random mix of Ollama generate/chat and OpenAI chat/completions requests, streaming and not, and
 * hanging up on a fraction of streams mid-way. Reports status codes, 5xx count, RSS growth of the server
 * process, and whether every slot is free at the end; exits non-zero on any 5xx, a slot still busy or RSS
 * growth of 5% or more.
 *
 * <pre>Soak --url http://127.0.0.1:11434 --model bench --pid 1234 [--clients 32] [--warmup 60] [--seconds 300]</pre>
 */
public final class Soak {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String url = null;
        String model = "bench";
        long pid = -1;
        int clients = 32;
        int seconds = 300;
        int warmup = 60;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--model" -> model = args[i + 1];
                case "--pid" -> pid = Long.parseLong(args[i + 1]);
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || pid < 0) {
            throw new IllegalArgumentException("--url and --pid are required");
        }
        new Soak(url, model).run(pid, clients, warmup, seconds);
    }

    private final String url;
    private final String model;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final LongAdder disconnects = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong requestsAtBaseline = new AtomicLong();

    private Soak(String url, String model) {
        this.url = url;
        this.model = model;
    }

    /**
     * The load runs for {@code warmup + seconds}; the RSS baseline is taken after the warm-up, under full load, so
     * that it includes what a busy server legitimately holds (every slot's KV pages touched, a full host-RAM
     * prompt cache, a warm JIT) and the growth after it is what a leak would add.
     */
    private void run(long pid, int clients, int warmup, int seconds) throws Exception {
        long start = System.nanoTime();
        long deadline = start + (warmup + seconds) * 1_000_000_000L;
        long[] rssStartHolder = new long[1];
        Thread baseline = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(warmup * 1000L);
                rssStartHolder[0] = rssKb(pid);
                requestsAtBaseline.set(requests.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                SplittableRandom random = new SplittableRandom(1000 + c);
                pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        try {
                            one(random, true);
                        } catch (Exception e) {
                            failures.increment();
                        }
                    }
                    return null;
                });
            }
        }
        baseline.join();
        long rssStart = rssStartHolder[0];
        Thread.sleep(2000); // let cancelled generations wind down
        long rssEnd = rssKb(pid);
        JsonNode ps = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(l -> l.startsWith("puna_active_slots"))
                .map(l -> "{\"v\":" + l.substring(l.lastIndexOf(' ') + 1) + "}").findFirst().orElse("{\"v\":-1}"));
        double activeSlots = ps.path("v").asDouble();
        long fiveXx = statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(e -> e.getValue().sum()).sum();
        double growth = 100.0 * (rssEnd - rssStart) / rssStart;
        System.out.printf(Locale.ROOT, "requests %d, client hang-ups %d, transport failures %d%n", requests.get(),
                disconnects.sum(), failures.sum());
        System.out.printf(Locale.ROOT, "status codes %s%n", statuses);
        System.out.printf(Locale.ROOT, "5xx: %d%n", fiveXx);
        System.out.printf(Locale.ROOT, "active slots after the run: %.0f%n", activeSlots);
        System.out.printf(Locale.ROOT, "server RSS: %.1f MiB after %d s of warm-up load, %.1f MiB at the end, %d "
                + "requests later (%+.2f%%)%n", rssStart / 1024.0, warmup, rssEnd / 1024.0,
                requests.get() - requestsAtBaseline.get(), growth);
        boolean ok = fiveXx == 0 && activeSlots == 0 && growth < 5;
        System.out.println(ok ? "SOAK PASSED" : "SOAK FAILED");
        System.exit(ok ? 0 : 1);
    }

    /** One request of a random kind; with {@code hangUps}, a fifth of the streams are abandoned early. */
    private void one(SplittableRandom random, boolean hangUps) throws Exception {
        int kind = random.nextInt(4);
        boolean stream = random.nextBoolean();
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("stream", stream);
        String path;
        String prompt = new Prompts(random.nextLong()).words(16 + random.nextInt(200));
        int maxTokens = 8 + random.nextInt(120);
        switch (kind) {
            case 0 -> {
                path = "/api/generate";
                body.put("prompt", prompt);
                body.putObject("options").put("num_predict", maxTokens);
            }
            case 1 -> {
                path = "/api/chat";
                body.putArray("messages").addObject().put("role", "user").put("content", prompt);
                body.putObject("options").put("num_predict", maxTokens);
            }
            case 2 -> {
                path = "/v1/chat/completions";
                body.putArray("messages").addObject().put("role", "user").put("content", prompt);
                body.put("max_tokens", maxTokens);
            }
            default -> {
                path = "/v1/completions";
                body.put("prompt", prompt);
                body.put("max_tokens", maxTokens);
            }
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        requests.incrementAndGet();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        statuses.computeIfAbsent(response.statusCode(), k -> new LongAdder()).increment();
        try (InputStream in = response.body()) {
            if (stream && hangUps && random.nextInt(5) == 0) {
                in.readNBytes(64 + random.nextInt(512)); // read a little, then hang up mid-stream
                disconnects.increment();
                return;
            }
            in.readAllBytes();
        }
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for pid " + pid);
    }
}
