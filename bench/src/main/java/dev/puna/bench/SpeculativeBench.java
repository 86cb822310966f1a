package dev.puna.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Speculative decoding's speed-up, from the client's side: single-stream greedy decode rate (tokens after the first
 * over the time after the first) of the same scripted prompt on several endpoints, one request each per round,
 * interleaved, medians over the rounds. Endpoints are {@code name=url|model}; the script names them
 * llama-server, llama-server+draft, puna, puna+draft. Every answer must be the same text, or the run fails.
 *
 * <pre>SpeculativeBench --endpoint NAME=URL|MODEL ... [--rounds 7] [--tokens 128] [--prompt Count:]</pre>
 */
public final class SpeculativeBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private record Endpoint(String name, String url, String model) {
    }

    /** A request's decode rate and text, and the server's own draft counts ({@code timings}; 0 without). */
    private record Timing(double decode, String text, int drafted, int accepted) {
    }

    public static void main(String[] args) throws Exception {
        List<Endpoint> endpoints = new ArrayList<>();
        int rounds = 7;
        int tokens = 128;
        String prompt = "Count:";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--endpoint" -> {
                    String[] nameRest = args[++i].split("=", 2);
                    String[] urlModel = nameRest[1].split("\\|", 2);
                    endpoints.add(new Endpoint(nameRest[0], urlModel[0], urlModel[1]));
                }
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--prompt" -> prompt = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new SpeculativeBench().run(endpoints, rounds, tokens, prompt);
    }

    private void run(List<Endpoint> endpoints, int rounds, int tokens, String prompt) throws Exception {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, Timing> lastOf = new LinkedHashMap<>();
        String expected = null;
        for (Endpoint e : endpoints) {
            rates.put(e.name(), new ArrayList<>());
            Timing warm = request(e, prompt, tokens); // one warm-up request each, as a user's first
            expected = check(expected, warm.text(), e.name());
        }
        for (int r = 0; r < rounds; r++) {
            for (Endpoint e : endpoints) {
                Timing t = request(e, prompt, tokens);
                expected = check(expected, t.text(), e.name());
                rates.get(e.name()).add(t.decode());
                lastOf.put(e.name(), t);
            }
        }
        System.out.printf(Locale.ROOT, "%-20s %12s %s%n", "endpoint", "decode tok/s (p50)",
                "drafted / accepted (last round, the server's timings)");
        Map<String, Double> median = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            median.put(e.getKey(), Stats.median(e.getValue()));
            Timing last = lastOf.get(e.getKey());
            String drafts = last == null || last.drafted() == 0 ? "-" : last.drafted() + " / " + last.accepted();
            System.out.printf(Locale.ROOT, "%-20s %12.1f       %s%n", e.getKey(), median.get(e.getKey()), drafts);
        }
        Double llama = median.get("llama-server");
        Double llamaDraft = median.get("llama-server+draft");
        Double puna = median.get("puna");
        Double punaDraft = median.get("puna+draft");
        if (llama != null && llamaDraft != null) {
            System.out.printf(Locale.ROOT, "llama-server speed-up with draft: %.2fx%n", llamaDraft / llama);
        }
        if (puna != null && punaDraft != null) {
            System.out.printf(Locale.ROOT, "puna speed-up with draft:         %.2fx%n", punaDraft / puna);
        }
        if (llamaDraft != null && punaDraft != null) {
            System.out.printf(Locale.ROOT, "puna+draft / llama-server+draft:  %.3f%n", punaDraft / llamaDraft);
        }
        System.out.printf(Locale.ROOT, "(%d tokens per request, %d rounds, same text from every endpoint)%n", tokens,
                rounds);
    }

    private static int words(String s) {
        String t = s.trim();
        return t.isEmpty() ? 0 : t.split("\\s+").length;
    }

    private static String check(String expected, String text, String name) {
        if (expected != null && !expected.equals(text)) {
            throw new IllegalStateException(name + " answered differently:\n" + text + "\nexpected:\n" + expected);
        }
        return text;
    }

    /** One streamed greedy completion; the decode rate counts the text chunks after the first. */
    private Timing request(Endpoint e, String prompt, int tokens) throws IOException, InterruptedException {
        String body = "{\"model\":" + JSON.writeValueAsString(e.model()) + ",\"prompt\":"
                + JSON.writeValueAsString(prompt) + ",\"max_tokens\":" + tokens
                + ",\"temperature\":0,\"stream\":true}";
        HttpRequest request = HttpRequest.newBuilder(URI.create(e.url() + "/v1/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(e.name() + ": HTTP " + response.statusCode());
        }
        StringBuilder text = new StringBuilder();
        long first = 0;
        long last = 0;
        int firstWords = 0;
        int drafted = 0;
        int accepted = 0;
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
                continue;
            }
            JsonNode chunk = JSON.readTree(line.substring(6));
            JsonNode timings = chunk.path("timings");
            if (timings.has("draft_n")) {
                drafted = timings.path("draft_n").asInt();
                accepted = timings.path("draft_n_accepted").asInt();
            }
            JsonNode choices = chunk.path("choices");
            if (choices.isEmpty()) {
                continue;
            }
            String piece = choices.get(0).path("text").asText("");
            if (piece.isEmpty()) {
                continue;
            }
            long now = System.nanoTime() - start;
            if (first == 0) {
                first = now;
                firstWords = words(piece);
            }
            last = now;
            text.append(piece);
        }
        // The scripted text is one token per word, and a server may send several tokens in one chunk (a verified
        // draft): tokens after the first chunk, counted as words, over the time after it.
        int after = words(text.toString()) - firstWords;
        double decode = after <= 0 || last <= first ? 0 : after * 1e9 / (last - first);
        return new Timing(decode, text.toString(), drafted, accepted);
    }
}
