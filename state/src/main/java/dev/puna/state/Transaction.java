package dev.puna.state;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The operations of one database transaction ({@link StateStore#write} or {@link StateStore#read}). Everything done
 * through one transaction commits together or not at all, so no crash leaves half an object, or a run without its
 * step. Used on the thread that opened it; never on a Vert.x event loop.
 *
 * <p>Lookups by id take the parent too: a collection with parents only answers for objects of that parent (a
 * message of another thread is not found), and for {@linkplain Collection#idsPerParent() item collections} the id is
 * only unique within the parent. Pass {@code null} as the parent of a collection without parents.
 */
public interface Transaction {
    /** Stores a new object. @throws StateException when an object with its id exists, or its parent does not */
    void insert(Collection c, Document doc);

    /** The object, or empty. */
    Optional<Document> get(Collection c, String parentId, String id);

    /**
     * The object, locked until the transaction ends so that no other transaction changes it meanwhile (PostgreSQL:
     * {@code SELECT ... FOR UPDATE}; SQLite write transactions hold the database's write lock anyway). Read, decide,
     * write back: the pattern of every state change.
     */
    Optional<Document> lock(Collection c, String parentId, String id);

    /** Writes the object's body back (and for jobs the status and expiry columns, from the body). */
    void update(Collection c, Document doc);

    /** Deletes the object and, by cascade, its children. @return whether it existed */
    boolean delete(Collection c, String parentId, String id);

    /** One page of a parent's objects (or of all objects of a collection without parents). */
    Page list(Collection c, String parentId, PageRequest page);

    /** One page of a thread's messages created by run {@code runId} (the {@code run_id} filter of list messages). */
    Page listByRun(String threadId, String runId, PageRequest page);

    /** Every object of a parent, oldest first. */
    List<Document> all(Collection c, String parentId);

    /** The oldest object of a parent whose status (jobs: the status column) is one of {@code statuses}, if any. */
    Optional<Document> firstWithStatus(Collection c, String parentId, Set<String> statuses);

    /** The number of objects of a parent. */
    int count(Collection c, String parentId);

    /**
     * Records that server process {@code nodeId} executes job {@code id} until {@code leaseUntilMillis} unless it
     * renews the lease.
     */
    void claim(Collection c, String id, String nodeId, long leaseUntilMillis);

    /** Clears the job's executing node and lease (it reached a state in which no process works on it). */
    void release(Collection c, String id);

    /** The ids of the jobs node {@code nodeId} holds that are in one of {@code statuses}. */
    List<String> owned(Collection c, String nodeId, Set<String> statuses);

    /** Extends every lease node {@code nodeId} holds to {@code leaseUntilMillis}. @return how many */
    int renewLeases(Collection c, String nodeId, long leaseUntilMillis);

    /**
     * Locks up to {@code limit} jobs in one of {@code statuses} whose lease ran out before {@code nowMillis} (their
     * process died) or that no process holds, skipping rows other transactions have locked (PostgreSQL's
     * {@code SKIP LOCKED}, so that two servers sweeping at once do not wait on each other).
     */
    List<Document> lockOrphans(Collection c, Set<String> statuses, long nowMillis, int limit);

    /** Locks up to {@code limit} jobs in {@code status} whose {@code expires_at} (seconds) is before {@code nowSeconds}. */
    List<Document> lockExpired(Collection c, String status, long nowSeconds, int limit);

    /** Locks every job in one of {@code statuses} (start-up recovery of a single server). */
    List<Document> lockWithStatus(Collection c, Set<String> statuses);
}
