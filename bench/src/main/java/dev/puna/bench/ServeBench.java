package dev.puna.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Drives two OpenAI-compatible servers (llama-server first, Puna second) with the same workloads, alternating
 * between them run by run, and prints each figure with the ratio Puna / llama-server.
 *
 * <pre>
 * ServeBench --server llama-server=http://127.0.0.1:8081 --server puna=http://127.0.0.1:8082 --model bench
 *            --pid llama-server=1234 --pid puna=5678 --model-file bench/out/puna-bench-q8_0.gguf --threads 2
 * </pre>
 */
public final class ServeBench {
    /** Repetitions of the single-request measurements (their medians are reported); {@code --runs} changes it. */
    private static int RUNS = 7;
    /** Repetitions of each concurrent-streams scenario (medians reported); {@code --agg-runs} changes it. */
    private static int AGG_RUNS = 3;
    /** Warm-up rounds per server before anything is timed (--warmup). */
    private static int WARMUP = 12;
    /** With {@code --only}, the scenarios to run (decode, prefill, streams8, streams32, turn), else all. */
    private static java.util.Set<String> only = java.util.Set.of();

    private record Server(String name, String url, long pid) {
    }

    private record Row(String metric, String unit, double[] values, boolean higherIsBetter, String target) {
    }

    private final List<Server> servers;
    private final String model;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
    private final Prompts prompts = new Prompts(20261122);
    private final List<Row> rows = new ArrayList<>();
    private double promptCacheMiB = Double.NaN;

    private ServeBench(List<Server> servers, String model) {
        this.servers = servers;
        this.model = model;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> urls = new LinkedHashMap<>();
        Map<String, Long> pids = new LinkedHashMap<>();
        String model = "bench";
        Path modelFile = null;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--server" -> urls.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                case "--pid" -> pids.put(value.substring(0, value.indexOf('=')), Long.parseLong(value.substring(value.indexOf('=') + 1)));
                case "--model" -> model = value;
                case "--model-file" -> modelFile = Path.of(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--runs" -> RUNS = Integer.parseInt(value);
                case "--warmup" -> WARMUP = Integer.parseInt(value);
                case "--agg-runs" -> AGG_RUNS = Integer.parseInt(value);
                case "--only" -> only = java.util.Set.of(value.split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (urls.size() != 2) {
            throw new IllegalArgumentException("give exactly two --server NAME=URL (baseline first)");
        }
        List<Server> servers = new ArrayList<>();
        urls.forEach((name, url) -> servers.add(new Server(name, url, pids.getOrDefault(name, -1L))));
        new ServeBench(servers, model).run(modelFile, threads);
    }

    private void run(Path modelFile, int threads) throws Exception {
        // Warm-up, the same for both: every code path the measurements take (long prompts, long generations,
        // concurrent streams) runs before anything is timed: the JVM's JIT, caches and lazy allocations alike. A
        // server runs for hours, so the figures are its steady state; the JIT needs a few thousand tokens through
        // the per-token path (some 10k calls per method) before its C2 compilations stop competing for the cores.
        for (Server s : servers) {
            CompletionClient c = client(s);
            for (int round = 0; round < WARMUP; round++) {
                c.complete(prompts.words(500), 16);
                c.complete(prompts.words(8), 128);
                if (round % 4 == 0) {
                    burst(c, 8, 64);
                }
            }
        }
        if (wanted("decode")) {
            decode();
        }
        if (wanted("prefill")) {
            prefill();
        }
        if (wanted("streams8")) {
            aggregate(8, 4);
        }
        if (wanted("streams32")) {
            aggregate(32, 2);
        }
        if (wanted("turn")) {
            secondTurn();
        }
        rss();
        print(modelFile, threads);
    }

    private void burst(CompletionClient c, int streams, int tokens) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<CompletionClient.Sample>> burst = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                String p = prompts.words(32);
                burst.add(pool.submit(() -> c.complete(p, tokens)));
            }
            for (Future<CompletionClient.Sample> f : burst) {
                f.get();
            }
        }
    }

    private static boolean wanted(String scenario) {
        return only.isEmpty() || only.contains(scenario);
    }

    private CompletionClient client(Server s) {
        return new CompletionClient(http, s.url(), model);
    }

    /** One measurement on one server. */
    @FunctionalInterface
    private interface Probe {
        double measure(CompletionClient client) throws Exception;
    }

    /**
     * {@code runs} measurements per server, alternating between the servers run by run (and which goes first),
     * so that drift in the machine's speed falls on both alike; returns the medians.
     */
    private double[] interleaved(String what, int runs, Probe probe) throws Exception {
        List<List<Double>> values = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < 2; j++) {
                int k = (i + j) % 2;
                values.get(k).add(probe.measure(client(servers.get(k))));
            }
        }
        double[] v = new double[2];
        for (int k = 0; k < 2; k++) {
            v[k] = Stats.median(values.get(k));
            log(what, servers.get(k), values.get(k));
        }
        return v;
    }

    private void decode() throws Exception {
        double[] v = interleaved("decode 1 stream", RUNS, c -> c.complete(prompts.words(8), 128).decodeTokensPerSecond());
        rows.add(new Row("single-stream decode", "tok/s", v, true, ">= 0.97"));
    }

    private void prefill() throws Exception {
        double[] v = interleaved("prefill ~500 tokens", RUNS, c -> {
            CompletionClient.Sample s = c.complete(prompts.words(500), 1);
            return s.promptTokens() * 1e9 / s.ttftNanos();
        });
        rows.add(new Row("prefill (~500-token prompt)", "tok/s", v, true, ">= 0.97"));
    }

    /**
     * {@code streams} clients, each sending {@code requestsEach} requests one after another; repeated
     * {@link #AGG_RUNS} times, alternating which server goes first, and the median of each figure reported.
     */
    private void aggregate(int streams, int requestsEach) throws Exception {
        List<List<Double>> tps = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> p50 = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> p99 = List.of(new ArrayList<>(), new ArrayList<>());
        for (int run = 0; run < AGG_RUNS; run++) {
            for (int j = 0; j < 2; j++) {
                int k = (run + j) % 2;
                CompletionClient c = client(servers.get(k));
                List<CompletionClient.Sample> samples = new ArrayList<>();
                long start = System.nanoTime();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<List<CompletionClient.Sample>>> futures = new ArrayList<>();
                    for (int i = 0; i < streams; i++) {
                        List<String> mine = new ArrayList<>();
                        for (int r = 0; r < requestsEach; r++) {
                            mine.add(prompts.words(32));
                        }
                        futures.add(pool.submit(() -> {
                            List<CompletionClient.Sample> out = new ArrayList<>();
                            for (String p : mine) {
                                out.add(c.complete(p, 128));
                            }
                            return out;
                        }));
                    }
                    for (Future<List<CompletionClient.Sample>> f : futures) {
                        samples.addAll(f.get());
                    }
                }
                long wall = System.nanoTime() - start;
                long tokens = samples.stream().mapToLong(CompletionClient.Sample::completionTokens).sum();
                List<Double> ttft = samples.stream().map(x -> x.ttftNanos() / 1e6).toList();
                tps.get(k).add(tokens * 1e9 / wall);
                p50.get(k).add(Stats.percentile(ttft, 50));
                p99.get(k).add(Stats.percentile(ttft, 99));
                System.err.printf(Locale.ROOT,
                        "%-14s %2d streams: %d tokens in %.1f s = %.1f tok/s, TTFT p50 %.0f ms p99 %.0f ms%n",
                        servers.get(k).name(), streams, tokens, wall / 1e9, tokens * 1e9 / wall,
                        Stats.percentile(ttft, 50), Stats.percentile(ttft, 99));
            }
        }
        rows.add(new Row("aggregate, " + streams + " streams", "tok/s", medians(tps), true, ">= 1.0"));
        rows.add(new Row("TTFT p50, " + streams + " streams", "ms", medians(p50), false, "<= 1.2"));
        rows.add(new Row("TTFT p99, " + streams + " streams", "ms", medians(p99), false, ""));
    }

    private static double[] medians(List<List<Double>> perServer) {
        return new double[] {Stats.median(perServer.get(0)), Stats.median(perServer.get(1))};
    }

    private void secondTurn() throws Exception {
        double[] v = interleaved("second-turn TTFT ms", RUNS, c -> {
            String history = prompts.words(1500);
            CompletionClient.Sample first = c.complete(history, 32);
            return c.complete(history + first.text() + " " + prompts.words(20), 8).ttftNanos() / 1e6;
        });
        rows.add(new Row("second-turn TTFT (1500-token history)", "ms", v, false, "<= 1.0"));
    }

    private void rss() throws Exception {
        double[] v = new double[2];
        for (int k = 0; k < 2; k++) {
            long pid = servers.get(k).pid();
            v[k] = pid < 0 ? Double.NaN : statusKb(pid, "VmRSS:") / 1024.0;
        }
        rows.add(new Row("server RSS after the run", "MiB", v, false, "+250 MiB"));
        promptCacheMiB = promptCacheMiB(servers.get(1));
    }

    /**
     * Host RAM that Puna's prompt cache holds (its {@code puna_prompt_cache_bytes} gauge), part of its RSS: Puna
     * keeps slots packed, so new conversations push old ones into that cache, where llama-server (its least
     * recently used slot first, with more slots than streams here) leaves them in idle slots' KV cache. NaN when
     * the server has no such gauge.
     */
    private double promptCacheMiB(Server s) {
        try {
            HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofLines());
            if (r.statusCode() != 200) {
                return Double.NaN;
            }
            return r.body().filter(l -> l.startsWith("puna_prompt_cache_bytes{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum() / 1048576.0;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long statusKb(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void log(String what, Server s, List<Double> runs) {
        System.err.printf(Locale.ROOT, "%-14s %s: %s%n", s.name(), what,
                runs.stream().map(d -> String.format(Locale.ROOT, "%.1f", d)).toList());
    }

    private void print(Path modelFile, int threads) throws Exception {
        String a = servers.get(0).name();
        String b = servers.get(1).name();
        System.out.printf(Locale.ROOT, "%n| %-40s | %14s | %14s | %8s | %-8s |%n", "metric", a, b, b + "/" + a, "target");
        System.out.printf(Locale.ROOT, "|%s|%s|%s|%s|%s|%n", "-".repeat(42), "-".repeat(16), "-".repeat(16), "-".repeat(10), "-".repeat(10));
        for (Row r : rows) {
            String ratio = r.unit().equals("MiB")
                    ? String.format(Locale.ROOT, "%+.0f MiB", r.values()[1] - r.values()[0])
                    : String.format(Locale.ROOT, "%.3f", r.values()[1] / r.values()[0]);
            System.out.printf(Locale.ROOT, "| %-40s | %10.1f %-3s | %10.1f %-3s | %8s | %-8s |%n", r.metric(),
                    r.values()[0], r.unit().equals("tok/s") ? "t/s" : r.unit(), r.values()[1],
                    r.unit().equals("tok/s") ? "t/s" : r.unit(), ratio, r.target());
        }
        if (!Double.isNaN(promptCacheMiB)) {
            System.out.printf(Locale.ROOT, "%n%s RSS includes %.1f MiB of conversations in its prompt cache (host RAM)%n",
                    b, promptCacheMiB);
        }
        if (modelFile != null) {
            long bytes = Files.size(modelFile);
            double bw = MemoryBandwidth.measure(threads, 1L << 30);
            System.out.printf(Locale.ROOT, "%nmemory read bandwidth (%d threads): %.1f GB/s; model %.1f MiB; "
                    + "batch-1 decode limit = bandwidth / model bytes = %.0f tok/s%n", threads, bw / 1e9,
                    bytes / 1048576.0, bw / bytes);
        }
    }
}
