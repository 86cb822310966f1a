package dev.puna.bench;

import dev.puna.bench.CompletionClient.Message;
import dev.puna.bench.CompletionClient.Route;
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
 * Drives two OpenAI-compatible servers (llama-server first, Puna second) with the same workloads on the chat and
 * the completions route, alternating between them run by run, and prints each figure with the ratio
 * Puna / llama-server as a Markdown table.
 *
 * <pre>
 * ServeBench --server llama-server=http://127.0.0.1:8081 --server puna=http://127.0.0.1:8082 --model bench
 *            --pid llama-server=1234 --pid puna=5678 --model-file bench/out/puna-bench-q8_0.gguf --threads 2
 *            [--routes chat,completions] [--only first,decode,...] [--warmup 1] [--quick]
 * </pre>
 */
public final class ServeBench {
    /** Repetitions of the single-request measurements (their medians are reported); {@code --runs} changes it. */
    private static int RUNS = 7;
    /** Repetitions of each concurrent-streams scenario (medians reported); {@code --agg-runs} changes it. */
    private static int AGG_RUNS = 3;
    /**
     * Warm-up requests per server before anything is timed ({@code --warmup}); the first request, timed by the
     * {@code first} scenario, is one of them. One is what a user's first client sees after {@code puna serve}.
     */
    private static int WARMUP = 1;
    /**
     * With {@code --only}, the scenarios to run (first, decode, prefill, streams8, streams32, afterburst,
     * chatoverhead, turn), else all.
     */
    private static java.util.Set<String> only = java.util.Set.of();
    /** The routes every per-route scenario runs on ({@code --routes}), in this order. */
    private static List<Route> routes = List.of(Route.CHAT, Route.COMPLETIONS);
    /** {@code --quick}: fewer runs, and half the requests per client in the streams scenarios. */
    private static boolean quick;

    private record Server(String name, String url, long pid) {
    }

    /** A row of the table; {@code paired} is the median of the per-run ratios, NaN where there is none. */
    private record Row(String metric, String unit, double[] values, double paired, String target) {
        /** The medians of each server's runs, and the median of their run-by-run ratios. */
        static Row of(String metric, String unit, List<List<Double>> perServer, String target) {
            return new Row(metric, unit, medians(perServer), Stats.pairedRatio(perServer.get(0), perServer.get(1)),
                    target);
        }
    }

    private final List<Server> servers;
    private final String model;
    private final HttpClient http = CompletionClient.newHttpClient();
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
        Integer runs = null;
        Integer aggRuns = null;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--quick")) {
                quick = true;
                i--;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--server" -> urls.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                case "--pid" -> pids.put(value.substring(0, value.indexOf('=')), Long.parseLong(value.substring(value.indexOf('=') + 1)));
                case "--model" -> model = value;
                case "--model-file" -> modelFile = Path.of(value);
                case "--threads" -> threads = Integer.parseInt(value);
                case "--runs" -> runs = Integer.parseInt(value);
                case "--warmup" -> WARMUP = Integer.parseInt(value);
                case "--agg-runs" -> aggRuns = Integer.parseInt(value);
                case "--only" -> only = java.util.Set.of(value.split(","));
                case "--routes" -> routes = Stream.of(value.split(",")).map(Route::of).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // --quick: a few minutes instead of a quarter of an hour; explicit --runs / --agg-runs still win.
        RUNS = runs != null ? runs : quick ? 3 : RUNS;
        AGG_RUNS = aggRuns != null ? aggRuns : quick ? 1 : AGG_RUNS;
        if (urls.size() != 2) {
            throw new IllegalArgumentException("give exactly two --server NAME=URL (baseline first)");
        }
        List<Server> servers = new ArrayList<>();
        urls.forEach((name, url) -> servers.add(new Server(name, url, pids.getOrDefault(name, -1L))));
        new ServeBench(servers, model).run(modelFile, threads);
    }

    private void run(Path modelFile, int threads) throws Exception {
        ClientWarmup.run(http); // the client's own cold start must not land on the first server's first request
        int warmup = WARMUP;
        if (wanted("first")) {
            first();
            warmup--;
        }
        warmUp(warmup);
        for (Route route : routes) {
            if (wanted("decode")) {
                decode(route);
            }
        }
        for (Route route : routes) {
            if (wanted("prefill")) {
                prefill(route);
            }
        }
        for (Route route : routes) {
            if (wanted("streams8")) {
                aggregate(route, 8, quick ? 2 : 4);
            }
        }
        for (Route route : routes) {
            if (wanted("streams32")) {
                aggregate(route, 32, quick ? 1 : 2);
            }
        }
        for (Route route : routes) {
            if (wanted("afterburst")) {
                afterBurst(route);
            }
        }
        if (wanted("chatoverhead")) {
            chatOverhead();
        }
        for (Route route : routes) {
            if (wanted("turn")) {
                secondTurn(route);
            }
        }
        rss();
        print(modelFile, threads);
    }

    /**
     * The first request each server gets after it started (and, for Puna, loaded the model), on the first of
     * {@code --routes}: what a user's first client sees. One sample per server, so noisier than the rest.
     */
    private void first() throws Exception {
        Route route = routes.getFirst();
        List<List<Double>> v = perServer();
        List<List<Double>> prompt = perServer();
        for (int k = 0; k < 2; k++) {
            CompletionClient.Sample first = client(servers.get(k), route).complete(prompts.words(100), 16);
            v.get(k).add(first.ttftNanos() / 1e6);
            prompt.get(k).add(first.promptMs());
            log("first request TTFT ms (" + route.label + ")", servers.get(k), v.get(k));
            log("  its timings.prompt_ms (" + route.label + ")", servers.get(k), prompt.get(k));
        }
        rows.add(Row.of("TTFT of the first request (" + route.label + ")", "ms", v, "<= 1.1"));
        // one sample each: the part outside prompt evaluation says whether a miss is the server's or the VM's
        rows.add(Row.of("  its prompt evaluation (timings.prompt_ms)", "ms", prompt, ""));
    }

    /**
     * {@code requests} warm-up requests per server, the same for both, cycling through the bench's shapes: a
     * 500-word prompt with 16 tokens out, an 8-word prompt with 128 tokens out, and after every eighth request 8
     * concurrent 64-token streams (so {@code --warmup 24} is the 12 rounds this bench used to warm up with: a
     * server runs for hours, and its JIT needs a few thousand tokens through the per-token path before its C2
     * compilations stop competing for the cores). The default, one request, measures what users see instead.
     */
    private void warmUp(int requests) throws Exception {
        for (Server s : servers) {
            for (int i = 0; i < requests; i++) {
                CompletionClient c = client(s, routes.get(i % routes.size()));
                if (i % 2 == 0) {
                    c.complete(prompts.words(500), 16);
                } else {
                    c.complete(prompts.words(8), 128);
                }
                if (i % 8 == 7) {
                    burst(c, 8, 64);
                }
            }
        }
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

    private CompletionClient client(Server s, Route route) {
        return new CompletionClient(http, s.url(), model, route);
    }

    /** One measurement on one server. */
    @FunctionalInterface
    private interface Probe {
        double measure(CompletionClient client) throws Exception;
    }

    /**
     * {@code runs} measurements per server, alternating between the servers run by run (and which goes first),
     * so that drift in the machine's speed falls on both alike; returns each server's runs, in order.
     */
    private List<List<Double>> interleaved(String what, Route route, int runs, Probe probe) throws Exception {
        List<List<Double>> values = perServer();
        alternate(route, runs, (k, c) -> values.get(k).add(probe.measure(c)));
        for (int k = 0; k < 2; k++) {
            log(what + " (" + route.label + ")", servers.get(k), values.get(k));
        }
        return values;
    }

    private void decode(Route route) throws Exception {
        List<List<Double>> v = interleaved("decode 1 stream", route, RUNS,
                c -> c.complete(prompts.words(8), 128).decodeTokensPerSecond());
        rows.add(Row.of("single-stream decode (" + route.label + ")", "tok/s", v, ">= 0.97"));
    }

    /**
     * A fresh ~500-word prompt, one token generated: prompt tokens over the TTFT as the client sees it, and, from the
     * servers' own {@code timings}, the tokens they evaluated over {@code prompt_ms} and how many they evaluated (a
     * server that found part of the prompt cached looks faster by the first figure only).
     */
    private void prefill(Route route) throws Exception {
        List<List<Double>> v = perServer();
        List<List<Double>> engine = perServer();
        List<List<Double>> evaluated = perServer();
        alternate(route, RUNS, (k, c) -> {
            CompletionClient.Sample s = c.complete(prompts.words(500), 1);
            int n = s.promptTokens() - Math.max(0, s.cachedTokens());
            v.get(k).add(s.promptTokens() * 1e9 / s.ttftNanos());
            engine.get(k).add(n * 1e3 / s.promptMs());
            evaluated.get(k).add((double) n);
        });
        for (int k = 0; k < 2; k++) {
            log("prefill ~500 tokens (" + route.label + ")", servers.get(k), v.get(k));
            log("  evaluated / timings.prompt_ms (" + route.label + ")", servers.get(k), engine.get(k));
            log("  prompt tokens it evaluated (" + route.label + ")", servers.get(k), evaluated.get(k));
        }
        rows.add(Row.of("prefill (~500-token prompt, " + route.label + ")", "tok/s", v, ">= 0.97"));
        rows.add(Row.of("  the servers' own rate (evaluated / timings.prompt_ms)", "tok/s", engine, ""));
        rows.add(Row.of("  prompt tokens evaluated (timings.prompt_n)", "tokens", evaluated, ""));
    }

    /**
     * {@code streams} clients, each sending {@code requestsEach} requests one after another; repeated
     * {@link #AGG_RUNS} times, alternating which server goes first, and the median of each figure reported.
     */
    private void aggregate(Route route, int streams, int requestsEach) throws Exception {
        List<List<Double>> tps = perServer();
        List<List<Double>> p50 = perServer();
        List<List<Double>> p99 = perServer();
        for (int run = 0; run < AGG_RUNS; run++) {
            for (int j = 0; j < 2; j++) {
                int k = (run + j) % 2;
                CompletionClient c = client(servers.get(k), route);
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
                        "%-14s %2d streams (%s): %d tokens in %.1f s = %.1f tok/s, TTFT p50 %.0f ms p99 %.0f ms%n",
                        servers.get(k).name(), streams, route.label, tokens, wall / 1e9, tokens * 1e9 / wall,
                        Stats.percentile(ttft, 50), Stats.percentile(ttft, 99));
            }
        }
        String label = streams + " streams, " + route.label;
        rows.add(Row.of("aggregate, " + label, "tok/s", tps, ">= 1.0"));
        rows.add(Row.of("TTFT p50, " + label, "ms", p50, "<= 1.1"));
        rows.add(Row.of("TTFT p99, " + label, "ms", p99, ""));
    }

    /**
     * TTFT right after a burst: 8 streams of 64 tokens fill 8 slots with conversations, and as soon as the last
     * ends, 8 newcomers arrive at once, each taking a slot that still holds one of them (Puna packs its slots, so
     * it displaces them, saving each to host RAM unless that happened while the slot idled). The newcomers' TTFT
     * p50, median over at least two rounds per server, alternating which goes first.
     */
    private void afterBurst(Route route) throws Exception {
        List<List<Double>> p50 = perServer();
        for (int run = 0; run < Math.max(2, AGG_RUNS); run++) {
            for (int j = 0; j < 2; j++) {
                int k = (run + j) % 2;
                CompletionClient c = client(servers.get(k), route);
                burst(c, 8, 64);
                List<Double> ttft = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<CompletionClient.Sample>> newcomers = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        String p = prompts.words(32);
                        newcomers.add(pool.submit(() -> c.complete(p, 16)));
                    }
                    for (Future<CompletionClient.Sample> f : newcomers) {
                        ttft.add(f.get().ttftNanos() / 1e6);
                    }
                }
                p50.get(k).add(Stats.percentile(ttft, 50));
            }
        }
        for (int k = 0; k < 2; k++) {
            log("TTFT p50 after an 8-stream burst ms (" + route.label + ")", servers.get(k), p50.get(k));
        }
        rows.add(Row.of("TTFT p50 right after an 8-stream burst, " + route.label, "ms", p50, "<= 1.1"));
    }

    /**
     * What the chat route adds to TTFT (rendering the chat template, tokenizing the conversation): the second turn
     * of a conversation with ~1,500 tokens of history on {@code /v1/chat/completions}, minus the same on
     * {@code /v1/completions} with the prompt the server's own {@code /apply-template} renders for it (the same
     * tokens; the history is cached from the first turn in both). Each run uses two fresh histories of the same
     * length, one per route; medians of the differences. A second row takes each server's own {@code prompt_ms}
     * ({@code timings}) out of both TTFTs first: the prompt evaluation's run-to-run scatter (tens of ms on a small
     * VM) then drops out, and what remains is the route's own cost (HTTP, template, tokenizer, queue, first byte).
     */
    private void chatOverhead() throws Exception {
        String answer = prompts.words(24);
        String question = prompts.words(20);
        List<List<Double>> raw = perServer();
        List<List<Double>> outside = perServer();
        alternate(Route.CHAT, RUNS, (k, c) -> {
            List<Message> chat = List.of(Message.user(prompts.words(1500)));
            c.chat(chat, 1);
            CompletionClient.Sample viaChat = c.chat(List.of(chat.getFirst(), Message.assistant(answer),
                    Message.user(question)), 8);
            List<Message> plain = List.of(Message.user(prompts.words(1500)));
            c.completion(c.applyTemplate(plain), 1);
            CompletionClient.Sample viaCompletion = c.completion(c.applyTemplate(List.of(plain.getFirst(),
                    Message.assistant(answer), Message.user(question))), 8);
            if (viaChat.promptTokens() - viaChat.cachedTokens()
                    != viaCompletion.promptTokens() - viaCompletion.cachedTokens()) {
                System.err.printf(Locale.ROOT, "chatoverhead (%s): %d of %d prompt tokens evaluated on the chat "
                        + "route, %d of %d on completions%n", servers.get(k).name(),
                        viaChat.promptTokens() - viaChat.cachedTokens(), viaChat.promptTokens(),
                        viaCompletion.promptTokens() - viaCompletion.cachedTokens(), viaCompletion.promptTokens());
            }
            raw.get(k).add((viaChat.ttftNanos() - viaCompletion.ttftNanos()) / 1e6);
            outside.get(k).add(viaChat.ttftOutsidePromptMs() - viaCompletion.ttftOutsidePromptMs());
        });
        for (int k = 0; k < 2; k++) {
            log("chat TTFT - completions TTFT, 2nd turn after 1500 tokens, ms", servers.get(k), raw.get(k));
            log("the same less each request's timings.prompt_ms, ms", servers.get(k), outside.get(k));
        }
        rows.add(new Row("chat TTFT - completions TTFT (1500-token history)", "Δms", medians(raw), Double.NaN,
                "<= 2 ms"));
        rows.add(new Row("  the same outside prompt evaluation (timings.prompt_ms)", "Δms", medians(outside),
                Double.NaN, "<= 2 ms"));
    }

    /** One list of figures per server, in {@link #servers} order. */
    private static List<List<Double>> perServer() {
        return List.of(new ArrayList<>(), new ArrayList<>());
    }

    /** One measurement on a server's client, {@code server} its index in {@link #servers}. */
    private interface ServerRun {
        void run(int server, CompletionClient client) throws Exception;
    }

    /** Runs {@code run} {@code runs} times on each server, alternating which goes first. */
    private void alternate(Route route, int runs, ServerRun run) throws Exception {
        for (int i = 0; i < runs; i++) {
            for (int j = 0; j < 2; j++) {
                int k = (i + j) % 2;
                run.run(k, client(servers.get(k), route));
            }
        }
    }

    private static double[] medians(List<List<Double>> perServer) {
        return new double[] {Stats.median(perServer.get(0)), Stats.median(perServer.get(1))};
    }

    /**
     * A conversation's second turn after ~1,500 tokens of history: on the completions route the history, the
     * answer and 20 more words as one prompt; on the chat route the same as user, assistant and user messages.
     * Also split as the servers' own {@code timings} see it: the prompt tokens evaluated, {@code prompt_ms}, and the
     * rest of the TTFT.
     */
    private void secondTurn(Route route) throws Exception {
        List<List<Double>> ttft = perServer();
        List<List<Double>> prompt = perServer();
        List<List<Double>> evaluated = perServer();
        alternate(route, RUNS, (k, c) -> {
            String history = prompts.words(1500);
            CompletionClient.Sample first = c.complete(history, 32);
            String next = prompts.words(20);
            CompletionClient.Sample second = route == Route.CHAT
                    ? c.chat(List.of(Message.user(history), Message.assistant(first.text()), Message.user(next)),
                            8)
                    : c.complete(history + first.text() + " " + next, 8);
            ttft.get(k).add(second.ttftNanos() / 1e6);
            prompt.get(k).add(second.promptMs());
            evaluated.get(k).add((double) (second.promptTokens() - second.cachedTokens()));
        });
        for (int k = 0; k < 2; k++) {
            log("second-turn TTFT ms (" + route.label + ")", servers.get(k), ttft.get(k));
            log("  its timings.prompt_ms (" + route.label + ")", servers.get(k), prompt.get(k));
            log("  prompt tokens it evaluated (" + route.label + ")", servers.get(k), evaluated.get(k));
        }
        rows.add(Row.of("second-turn TTFT (1500-token history, " + route.label + ")", "ms", ttft, "<= 1.0"));
        rows.add(Row.of("  its prompt evaluation (timings.prompt_ms)", "ms", prompt, ""));
        rows.add(Row.of("  prompt tokens evaluated (timings.prompt_n)", "tokens", evaluated, ""));
    }

    private void rss() throws Exception {
        double[] v = new double[2];
        for (int k = 0; k < 2; k++) {
            long pid = servers.get(k).pid();
            v[k] = pid < 0 ? Double.NaN : statusKb(pid, "VmRSS:") / 1024.0;
        }
        rows.add(new Row("server RSS after the run", "MiB", v, Double.NaN, ""));
        promptCacheMiB = promptCacheMiB(servers.get(1));
        if (!Double.isNaN(promptCacheMiB)) {
            // The host-RAM prompt cache holds what llama-server keeps in its idle slots' KV cache: counted apart.
            rows.add(new Row(servers.get(1).name() + " less its prompt cache", "MiB",
                    new double[] {v[0], v[1] - promptCacheMiB}, Double.NaN, "<= +250 MiB"));
        }
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
        String ratioHeader = b + "/" + a;
        int w = Math.max(8, ratioHeader.length());
        System.out.printf(Locale.ROOT, "%n| %-52s | %14s | %14s | %" + w + "s | %6s | %-11s |%n", "metric", a, b,
                ratioHeader, "paired", "target");
        System.out.printf(Locale.ROOT, "|%s|%s|%s|%s|%s|%s|%n", "-".repeat(54), "-".repeat(16), "-".repeat(16),
                "-".repeat(w + 2), "-".repeat(8), "-".repeat(13));
        for (Row r : rows) {
            // A difference has no meaningful ratio (each side is small and may be negative): the target is on b's.
            String ratio = r.unit().equals("MiB")
                    ? String.format(Locale.ROOT, "%+.0f MiB", r.values()[1] - r.values()[0])
                    : r.unit().equals("Δms") ? "-"
                    : String.format(Locale.ROOT, "%.3f", r.values()[1] / r.values()[0]);
            String paired = Double.isNaN(r.paired()) ? "-" : String.format(Locale.ROOT, "%.3f", r.paired());
            System.out.printf(Locale.ROOT, "| %-52s | %10.1f %-3s | %10.1f %-3s | %" + w + "s | %6s | %-11s |%n",
                    r.metric(), r.values()[0], r.unit().equals("tok/s") ? "t/s" : r.unit(), r.values()[1],
                    r.unit().equals("tok/s") ? "t/s" : r.unit(), ratio, paired, r.target());
        }
        System.out.printf(Locale.ROOT, "%npaired: the median of the run-by-run ratios (run i of %s over run i of %s, "
                + "run back to back), steadier than the ratio of the medians when the machine's speed drifts%n", b, a);
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
