package dev.puna.state;

/**
 * The kinds of stored object, each a table. A collection either stands alone (assistants, threads, conversations,
 * responses) or belongs to a parent whose deletion deletes it ({@link #parentColumn()}). Runs and responses are
 * <em>jobs</em>: they also carry the executing server process and its lease ({@link #isJob()}).
 */
public enum Collection {
    ASSISTANTS("assistants", null, false),
    THREADS("threads", null, false),
    MESSAGES("messages", "thread_id", false),
    RUNS("runs", "thread_id", false),
    RUN_STEPS("run_steps", "run_id", false),
    CONVERSATIONS("conversations", null, false),
    CONVERSATION_ITEMS("conversation_items", "conversation_id", true),
    RESPONSES("responses", null, false),
    RESPONSE_ITEMS("response_items", "response_id", true);

    private final String table;
    private final String parentColumn;
    private final boolean idsPerParent;

    Collection(String table, String parentColumn, boolean idsPerParent) {
        this.table = table;
        this.parentColumn = parentColumn;
        this.idsPerParent = idsPerParent;
    }

    /** The table's name. */
    public String table() {
        return table;
    }

    /** The column naming the parent object, or {@code null} for a collection without parents. */
    public String parentColumn() {
        return parentColumn;
    }

    /** Whether objects have a parent. */
    public boolean hasParent() {
        return parentColumn != null;
    }

    /**
     * Whether an id is unique only within its parent (items, which clients may send with ids of their own), so
     * that every lookup needs the parent too.
     */
    public boolean idsPerParent() {
        return idsPerParent;
    }

    /** Whether objects carry a status, an executing node, a lease and an expiry (runs and responses). */
    public boolean isJob() {
        return this == RUNS || this == RESPONSES;
    }
}
