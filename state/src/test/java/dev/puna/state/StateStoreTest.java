package dev.puna.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.state.DatabaseUrl.Backend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The repository on both engines: documents, parents and cascades, paging, transactions, locks and job leases. */
@Timeout(120)
class StateStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private StateStore open(Backend backend, String name) {
        return StateStore.open(Databases.fresh(backend, dir, name));
    }

    private static ObjectNode body(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Document thread(String id) {
        return Document.of(id, null, body("{\"id\":\"" + id + "\",\"object\":\"thread\"}"));
    }

    private static Document message(String id, String thread, String runId) {
        return Document.of(id, thread, body("{\"id\":\"" + id + "\",\"thread_id\":\"" + thread + "\",\"run_id\":"
                + (runId == null ? "null" : "\"" + runId + "\"") + "}"));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void documentsRoundTripAndBelongToTheirParent(Backend backend) {
        try (StateStore store = open(backend, "docs")) {
            String t1 = Ids.next("thread");
            String t2 = Ids.next("thread");
            String m = Ids.next("msg");
            store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t1));
                tx.insert(Collection.THREADS, thread(t2));
                tx.insert(Collection.MESSAGES, message(m, t1, null));
                return null;
            });
            Document read = store.read(tx -> tx.get(Collection.MESSAGES, t1, m)).orElseThrow();
            assertEquals(m, read.id());
            assertEquals(t1, read.parentId());
            assertEquals(Ids.seqOf(m), read.seq());
            assertEquals(t1, read.body().get("thread_id").asText());
            assertEquals(Optional.empty(), store.read(tx -> tx.get(Collection.MESSAGES, t2, m)),
                    "a message is not found under another thread");

            read.body().put("status", "completed");
            store.write(tx -> {
                tx.update(Collection.MESSAGES, read);
                return null;
            });
            assertEquals("completed", store.read(tx -> tx.get(Collection.MESSAGES, t1, m)).orElseThrow().body()
                    .get("status").asText());
            assertThrows(StateException.class, () -> store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t1));
                return null;
            }), "a second object with the same id");
            assertThrows(StateException.class, () -> store.write(tx -> {
                tx.insert(Collection.MESSAGES, message(Ids.next("msg"), "thread_missing", null));
                return null;
            }), "a message of a thread that does not exist");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deletingAParentDeletesItsChildren(Backend backend) {
        try (StateStore store = open(backend, "cascade")) {
            String t = Ids.next("thread");
            String run = Ids.next("run");
            String step = Ids.next("step");
            store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t));
                tx.insert(Collection.MESSAGES, message(Ids.next("msg"), t, null));
                tx.insert(Collection.MESSAGES, message(Ids.next("msg"), t, run));
                tx.insert(Collection.RUNS, Document.of(run, t, body("{\"id\":\"" + run + "\",\"status\":\"queued\","
                        + "\"expires_at\":100}")));
                tx.insert(Collection.RUN_STEPS, Document.of(step, run, body("{\"id\":\"" + step + "\"}")));
                return null;
            });
            assertEquals(2, (int) store.<Integer>read(tx -> tx.count(Collection.MESSAGES, t)));
            assertTrue(store.<Boolean>write(tx -> tx.delete(Collection.THREADS, null, t)));
            assertFalse(store.<Boolean>write(tx -> tx.delete(Collection.THREADS, null, t)));
            assertEquals(0, (int) store.<Integer>read(tx -> tx.count(Collection.MESSAGES, t)));
            assertEquals(0, (int) store.<Integer>read(tx -> tx.count(Collection.RUNS, t)));
            assertEquals(0, (int) store.<Integer>read(tx -> tx.count(Collection.RUN_STEPS, run)));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void itemIdsAreUniquePerParentOnly(Backend backend) {
        try (StateStore store = open(backend, "items")) {
            String c1 = Ids.next("conv");
            String c2 = Ids.next("conv");
            store.write(tx -> {
                for (String c : List.of(c1, c2)) {
                    tx.insert(Collection.CONVERSATIONS, Document.of(c, null, body("{}")));
                    // A client's own item id, twice: once in each conversation.
                    tx.insert(Collection.CONVERSATION_ITEMS, Document.of("my-item", c, body("{\"in\":\"" + c + "\"}")));
                }
                return null;
            });
            assertEquals(c2, store.read(tx -> tx.get(Collection.CONVERSATION_ITEMS, c2, "my-item")).orElseThrow()
                    .body().get("in").asText());
            assertTrue(store.<Boolean>write(tx -> tx.delete(Collection.CONVERSATION_ITEMS, c1, "my-item")));
            assertTrue(store.<Optional<Document>>read(tx -> tx.get(Collection.CONVERSATION_ITEMS, c2, "my-item")).isPresent());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void pagesAsOpenAiDoes(Backend backend) {
        try (StateStore store = open(backend, "paging")) {
            String t = Ids.next("thread");
            List<String> ids = new ArrayList<>();
            store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t));
                for (int i = 0; i < 5; i++) {
                    String id = Ids.next("msg");
                    ids.add(id);
                    tx.insert(Collection.MESSAGES, message(id, t, i % 2 == 0 ? "run_even" : null));
                }
                return null;
            });
            // ids: 0 1 2 3 4, oldest first.
            assertPage(store, t, new PageRequest(20, false, null, null), ids, List.of(4, 3, 2, 1, 0), false);
            assertPage(store, t, new PageRequest(20, true, null, null), ids, List.of(0, 1, 2, 3, 4), false);
            assertPage(store, t, new PageRequest(2, false, null, null), ids, List.of(4, 3), true);
            assertPage(store, t, new PageRequest(2, false, ids.get(3), null), ids, List.of(2, 1), true);
            assertPage(store, t, new PageRequest(2, false, ids.get(1), null), ids, List.of(0), false);
            assertPage(store, t, new PageRequest(2, true, ids.get(2), null), ids, List.of(3, 4), false);
            assertPage(store, t, new PageRequest(5, true, ids.get(4), null), ids, List.of(), false);
            // before: the objects right in front of the cursor, in list order.
            assertPage(store, t, new PageRequest(2, false, null, ids.get(1)), ids, List.of(3, 2), true);
            assertPage(store, t, new PageRequest(2, true, null, ids.get(3)), ids, List.of(1, 2), true);
            assertPage(store, t, new PageRequest(5, true, null, ids.get(2)), ids, List.of(0, 1), false);
            assertPage(store, t, new PageRequest(20, false, ids.get(4), ids.get(0)), ids, List.of(3, 2, 1), false);
            assertPage(store, t, new PageRequest(2, true, ids.get(0), ids.get(4)), ids, List.of(1, 2), true);

            Page byRun = store.read(tx -> tx.listByRun(t, "run_even", new PageRequest(20, true, null, null)));
            assertEquals(List.of(ids.get(0), ids.get(2), ids.get(4)), byRun.data().stream().map(Document::id).toList());

            // A cursor whose object was deleted still marks its place; a string this store never made does not.
            store.<Boolean>write(tx -> tx.delete(Collection.MESSAGES, t, ids.get(2)));
            assertPage(store, t, new PageRequest(20, false, ids.get(2), null), ids, List.of(1, 0), false);
            InvalidCursorException e = assertThrows(InvalidCursorException.class,
                    () -> store.read(tx -> tx.list(Collection.MESSAGES, t, new PageRequest(20, false, null, "msg_x"))));
            assertEquals("before", e.parameter());
        }
    }

    private static void assertPage(StateStore store, String thread, PageRequest request, List<String> ids,
                                   List<Integer> expected, boolean hasMore) {
        Page page = store.read(tx -> tx.list(Collection.MESSAGES, thread, request));
        assertEquals(expected.stream().map(ids::get).toList(), page.data().stream().map(Document::id).toList(),
                request.toString());
        assertEquals(hasMore, page.hasMore(), "has_more of " + request);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFailedTransactionLeavesNothing(Backend backend) {
        try (StateStore store = open(backend, "rollback")) {
            String t = Ids.next("thread");
            assertThrows(IllegalStateException.class, () -> store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t));
                tx.insert(Collection.MESSAGES, message(Ids.next("msg"), t, null));
                throw new IllegalStateException("changed my mind");
            }));
            assertEquals(Optional.empty(), store.read(tx -> tx.get(Collection.THREADS, null, t)));
            assertEquals(0, (int) store.<Integer>read(tx -> tx.count(Collection.MESSAGES, t)));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void lockedReadModifyWriteLosesNoUpdate(Backend backend) throws Exception {
        try (StateStore store = open(backend, "locks")) {
            String t = Ids.next("thread");
            store.write(tx -> {
                tx.insert(Collection.THREADS, Document.of(t, null, body("{\"n\":0}")));
                return null;
            });
            int threads = 4;
            int each = 25;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    done.add(pool.submit(() -> {
                        for (int j = 0; j < each; j++) {
                            store.write(tx -> {
                                Document d = tx.lock(Collection.THREADS, null, t).orElseThrow();
                                d.body().put("n", d.body().get("n").asInt() + 1);
                                tx.update(Collection.THREADS, d);
                                return null;
                            });
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(threads * each, store.read(tx -> tx.get(Collection.THREADS, null, t)).orElseThrow().body()
                    .get("n").asInt());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void jobsAreClaimedLeasedAndSwept(Backend backend) {
        try (StateStore store = open(backend, "jobs")) {
            String t = Ids.next("thread");
            String running = Ids.next("run");
            String waiting = Ids.next("run");
            String orphan = Ids.next("run");
            store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t));
                tx.insert(Collection.RUNS, Document.of(running, t, body("{\"status\":\"in_progress\"}")));
                tx.claim(Collection.RUNS, running, "node-a", 10_000);
                tx.insert(Collection.RUNS, Document.of(waiting, t, body("{\"status\":\"requires_action\","
                        + "\"expires_at\":500}")));
                tx.insert(Collection.RUNS, Document.of(orphan, t, body("{\"status\":\"in_progress\"}")));
                tx.claim(Collection.RUNS, orphan, "node-b", 1_000);
                return null;
            });
            Set<String> active = Set.of("queued", "in_progress", "cancelling");
            assertEquals(List.of(running), store.read(tx -> tx.owned(Collection.RUNS, "node-a", active)));
            assertEquals(List.of(), store.read(tx -> tx.owned(Collection.RUNS, "node-a", Set.of("cancelling"))));
            // At t=5000 node-b's lease has run out, node-a's has not.
            assertEquals(List.of(orphan), store.write(tx -> tx.lockOrphans(Collection.RUNS, active, 5_000, 10))
                    .stream().map(Document::id).toList());
            assertEquals(1, (int) store.<Integer>write(tx -> tx.renewLeases(Collection.RUNS, "node-b", 20_000)));
            assertEquals(List.of(), store.write(tx -> tx.lockOrphans(Collection.RUNS, active, 5_000, 10)));
            store.write(tx -> {
                tx.release(Collection.RUNS, running);
                return null;
            });
            assertEquals(List.of(running), store.write(tx -> tx.lockOrphans(Collection.RUNS, active, 5_000, 10))
                    .stream().map(Document::id).toList(), "a run no process holds is an orphan");
            assertEquals(List.of(), store.write(tx -> tx.lockExpired(Collection.RUNS, "requires_action", 500, 10)));
            assertEquals(List.of(waiting), store.write(tx -> tx.lockExpired(Collection.RUNS, "requires_action", 501, 10))
                    .stream().map(Document::id).toList());
            assertEquals(List.of(running, orphan), store.write(tx -> tx.lockWithStatus(Collection.RUNS,
                    Set.of("in_progress"))).stream().map(Document::id).toList());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void reopeningMigratesNothingAndKeepsTheData(Backend backend) {
        DatabaseUrl url = Databases.fresh(backend, dir, "reopen");
        String t = Ids.next("thread");
        try (StateStore store = StateStore.open(url)) {
            store.write(tx -> {
                tx.insert(Collection.THREADS, thread(t));
                return null;
            });
        }
        try (StateStore store = StateStore.open(url)) {
            assertTrue(store.<Optional<Document>>read(tx -> tx.get(Collection.THREADS, null, t)).isPresent());
        }
    }
}
