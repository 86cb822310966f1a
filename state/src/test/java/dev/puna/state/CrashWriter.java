package dev.puna.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The victim of {@link CrashTest}: writes to the database in a loop, each transaction adding a message to a thread
 * and counting it in the thread's body, printing the number of commits, until it is killed.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) {
        DatabaseUrl url = DatabaseUrl.parse(args[0]);
        String thread = args[1];
        ObjectMapper json = new ObjectMapper();
        StateStore store = StateStore.open(url);
        for (long i = 1; ; i++) {
            store.write(tx -> {
                Document t = tx.lock(Collection.THREADS, null, thread).orElseThrow();
                String id = Ids.next("msg");
                ObjectNode m = json.createObjectNode().put("id", id).put("text", "x".repeat(2000));
                tx.insert(Collection.MESSAGES, Document.of(id, thread, m));
                t.body().put("count", t.body().get("count").asInt() + 1);
                tx.update(Collection.THREADS, t);
                return null;
            });
            System.out.println(i);
            System.out.flush();
        }
    }
}
