package dev.puna.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The second turn of a conversation with a long history, with and without a server restart between the turns;
 * {@code bench/restart.sh} runs the phases around the restarts.
 *
 * <pre>
 * RestartBench --url http://127.0.0.1:8082 --model bench --phase first --state out/turns.json
 *     # first turns of --conversations conversations of --history words; their prompts and answers saved
 * RestartBench --url ... --phase second --state out/turns.json
 *     # (after a restart) each conversation's second turn: TTFT per conversation and the median
 * RestartBench --url ... --phase turn
 *     # both turns on one server: the second-turn TTFT without a restart
 * </pre>
 * Every phase first sends {@code --warmup} short unrelated requests (default 2), then prints one line
 * {@code ttft_ms median=<ms> all=<ms,...>} (the first phase: its prefills).
 */
public final class RestartBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RestartBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        String model = "bench";
        String phase = null;
        Path state = null;
        int conversations = 4;
        int history = 1500;
        int seed = 20261203;
        int warmup = 2;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--url" -> url = v;
                case "--model" -> model = v;
                case "--phase" -> phase = v;
                case "--state" -> state = Path.of(v);
                case "--conversations" -> conversations = Integer.parseInt(v);
                case "--history" -> history = Integer.parseInt(v);
                case "--seed" -> seed = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (url == null || phase == null) {
            throw new IllegalArgumentException("--url and --phase are required");
        }
        HttpClient http = CompletionClient.newHttpClient();
        CompletionClient client = new CompletionClient(http, url, model);
        Prompts prompts = new Prompts(seed);
        // A fresh JVM's first requests also pay for its JIT: short unrelated requests first, so that every phase
        // measures the prompt cache, not how warm the server process is.
        Prompts other = new Prompts(seed ^ 0x5eed);
        for (int i = 0; i < warmup; i++) {
            client.complete(other.words(100), 16);
        }
        List<Double> ttft = new ArrayList<>();
        switch (phase) {
            case "first" -> {
                List<String> histories = new ArrayList<>();
                for (int i = 0; i < conversations; i++) {
                    String prompt = prompts.words(history);
                    CompletionClient.Sample first = client.complete(prompt, 32);
                    ttft.add(first.ttftNanos() / 1e6);
                    histories.add(prompt + first.text());
                }
                Files.writeString(state, JSON.writeValueAsString(histories));
            }
            case "second" -> {
                String[] histories = JSON.readValue(Files.readString(state), String[].class);
                for (String h : histories) {
                    ttft.add(client.complete(h + " " + prompts.words(20), 8).ttftNanos() / 1e6);
                }
            }
            case "turn" -> {
                for (int i = 0; i < conversations; i++) {
                    String prompt = prompts.words(history);
                    CompletionClient.Sample first = client.complete(prompt, 32);
                    ttft.add(client.complete(prompt + first.text() + " " + prompts.words(20), 8).ttftNanos() / 1e6);
                }
            }
            default -> throw new IllegalArgumentException("--phase is first, second or turn, not " + phase);
        }
        StringBuilder all = new StringBuilder();
        for (double t : ttft) {
            all.append(all.isEmpty() ? "" : ",").append(String.format(Locale.ROOT, "%.1f", t));
        }
        System.out.printf(Locale.ROOT, "ttft_ms median=%.1f all=%s%n", Stats.median(ttft), all);
    }
}
