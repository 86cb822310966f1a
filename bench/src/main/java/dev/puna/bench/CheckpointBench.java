package dev.puna.bench;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What checkpoints are worth on a model with sliding-window attention, and what they cost: {@code bench/checkpoint.sh}
 * runs it against servers side by side on one such model.
 *
 * <pre>
 * CheckpointBench --server puna=http://127.0.0.1:18086 --server llama-server=http://127.0.0.1:18087 ...
 *                 [--model bench] [--rounds 5] [--history 1500] [--turn 1200] [--answer 100] [--warmup 1]
 *                 [--seed n]
 * </pre>
 * Each round, on every server in turn (the order rotating from round to round, so that drift in the machine's speed
 * falls on all alike), on {@code /v1/completions}: a new prompt of {@code --history} words (its TTFT: what the pause
 * for a checkpoint costs a first prompt), then that prompt and {@code --turn} more words (a long turn, which moves
 * the window past the first prompt's end), then the first prompt again (answering it again: its TTFT and the prompt
 * tokens the server evaluated, {@code prompt_tokens - timings.cache_n}). Then, on {@code /v1/chat/completions}, an
 * edited last user message: a new document of {@code --history} words as the first user message, the answer the
 * server gives (16 tokens), a question of {@code --turn} words, and that question replaced by another of the same
 * length (its TTFT and the tokens evaluated; llama-server checkpoints at the start of the last user message, Puna
 * where the prompt's reuse of the cache ended, which is the same point here). Last, a conversation sent whole, as a
 * client that keeps its own history sends it to a server that has not seen it (another server behind a balancer,
 * say): another document, an answer the client wrote ({@code --answer} words), a question, then that question
 * replaced (both servers pause where the chat route says the last user message starts). Prints the medians per
 * server.
 */
public final class CheckpointBench {
    private CheckpointBench() {
    }

    private record Round(double firstTtft, double againTtft, int againEvaluated, double editTtft,
                         int editEvaluated, double wholeTtft, int wholeEvaluated) {
    }

    private static int evaluated(CompletionClient.Sample s) {
        return s.cachedTokens() < 0 ? -1 : s.promptTokens() - s.cachedTokens();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> servers = new LinkedHashMap<>();
        String model = "bench";
        int rounds = 5;
        int history = 1500;
        int turn = 1200;
        int answerWords = 100;
        int warmup = 1;
        long seed = 20261207;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--server" -> {
                    int eq = v.indexOf('=');
                    servers.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--model" -> model = v;
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--history" -> history = Integer.parseInt(v);
                case "--turn" -> turn = Integer.parseInt(v);
                case "--answer" -> answerWords = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one --server label=url");
        }
        HttpClient http = CompletionClient.newHttpClient();
        List<String> labels = new ArrayList<>(servers.keySet());
        Map<String, CompletionClient> clients = new LinkedHashMap<>();
        for (String label : labels) {
            CompletionClient c = new CompletionClient(http, servers.get(label), model);
            Prompts other = new Prompts(seed ^ 0x5eed);
            for (int i = 0; i < warmup; i++) {
                c.completion(other.words(100), 16);
            }
            clients.put(label, c);
        }
        Map<String, List<Round>> results = new LinkedHashMap<>();
        labels.forEach(l -> results.put(l, new ArrayList<>()));
        for (int r = 0; r < rounds; r++) {
            // The same prompts for every server in a round, new ones each round.
            Prompts prompts = new Prompts(seed + r);
            String first = prompts.words(history);
            String longer = first + " " + prompts.words(turn);
            String document = prompts.words(history);
            String question = prompts.words(turn);
            String edited = prompts.words(turn);
            List<CompletionClient.Message> whole = List.of(CompletionClient.Message.user(prompts.words(history)),
                    CompletionClient.Message.assistant(prompts.words(answerWords)));
            String wholeQuestion = prompts.words(turn);
            String wholeEdited = prompts.words(turn);
            for (int k = 0; k < labels.size(); k++) {
                String label = labels.get((r + k) % labels.size());
                CompletionClient c = clients.get(label);
                CompletionClient.Sample s1 = c.completion(first, 1);
                c.completion(longer, 1);
                CompletionClient.Sample s3 = c.completion(first, 8);
                CompletionClient.Message doc = CompletionClient.Message.user(document);
                CompletionClient.Message answer = CompletionClient.Message.assistant(
                        c.chat(List.of(doc), 16).text());
                c.chat(List.of(doc, answer, CompletionClient.Message.user(question)), 1);
                CompletionClient.Sample edit = c.chat(List.of(doc, answer, CompletionClient.Message.user(edited)), 1);
                c.chat(plus(whole, CompletionClient.Message.user(wholeQuestion)), 1);
                CompletionClient.Sample wholeEdit = c.chat(plus(whole, CompletionClient.Message.user(wholeEdited)), 1);
                Round round = new Round(s1.ttftNanos() / 1e6, s3.ttftNanos() / 1e6, evaluated(s3),
                        edit.ttftNanos() / 1e6, evaluated(edit), wholeEdit.ttftNanos() / 1e6, evaluated(wholeEdit));
                results.get(label).add(round);
                System.out.printf(Locale.ROOT, "round %d %-14s first prompt TTFT %7.1f ms, again TTFT %7.1f ms, "
                        + "evaluated again %d of %d tokens; edited message TTFT %7.1f ms, evaluated %d of %d; "
                        + "sent whole, edited: TTFT %7.1f ms, evaluated %d of %d%n",
                        r + 1, label, round.firstTtft(), round.againTtft(), round.againEvaluated(), s3.promptTokens(),
                        round.editTtft(), round.editEvaluated(), edit.promptTokens(), round.wholeTtft(),
                        round.wholeEvaluated(), wholeEdit.promptTokens());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| %-14s | %-22s | %-24s | %-21s | %-22s | %-21s | %-22s | %-21s |%n",
                "server", "first prompt TTFT (ms)", "answered again TTFT (ms)", "evaluated again (tok)",
                "edited message TTFT (ms)", "edit evaluated (tok)", "sent whole, edit (ms)", "evaluated (tok)");
        System.out.println("|----------------|------------------------|--------------------------|"
                + "-----------------------|--------------------------|-----------------------|"
                + "------------------------|-----------------------|");
        for (String label : labels) {
            List<Round> rs = results.get(label);
            System.out.printf(Locale.ROOT, "| %-14s | %22.1f | %24.1f | %21.0f | %24.1f | %21.0f | %22.1f | %21.0f |%n",
                    label,
                    Stats.median(rs.stream().map(Round::firstTtft).toList()),
                    Stats.median(rs.stream().map(Round::againTtft).toList()),
                    Stats.median(rs.stream().map(x -> (double) x.againEvaluated()).toList()),
                    Stats.median(rs.stream().map(Round::editTtft).toList()),
                    Stats.median(rs.stream().map(x -> (double) x.editEvaluated()).toList()),
                    Stats.median(rs.stream().map(Round::wholeTtft).toList()),
                    Stats.median(rs.stream().map(x -> (double) x.wholeEvaluated()).toList()));
        }
    }

    private static List<CompletionClient.Message> plus(List<CompletionClient.Message> history,
                                                       CompletionClient.Message last) {
        List<CompletionClient.Message> out = new ArrayList<>(history);
        out.add(last);
        return out;
    }
}
