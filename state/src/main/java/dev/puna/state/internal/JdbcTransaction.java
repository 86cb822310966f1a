package dev.puna.state.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.state.Collection;
import dev.puna.state.DatabaseUrl.Backend;
import dev.puna.state.Document;
import dev.puna.state.Ids;
import dev.puna.state.InvalidCursorException;
import dev.puna.state.Page;
import dev.puna.state.PageRequest;
import dev.puna.state.StateException;
import dev.puna.state.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Transaction} over one JDBC connection, with SQL both SQLite and PostgreSQL run; the few differences (row
 * locks, {@code SKIP LOCKED}) depend on {@link Backend}. Not thread-safe: one transaction, one thread.
 */
public final class JdbcTransaction implements Transaction {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection conn;
    private final Backend backend;

    public JdbcTransaction(Connection conn, Backend backend) {
        this.conn = conn;
        this.backend = backend;
    }

    @Override
    public void insert(Collection c, Document doc) {
        requireParent(c, doc.parentId());
        List<String> columns = new ArrayList<>(List.of("id", "seq", "body"));
        List<Object> values = new ArrayList<>(List.of(doc.id(), doc.seq(), write(doc.body())));
        if (c.hasParent()) {
            columns.add(c.parentColumn());
            values.add(doc.parentId());
        }
        derived(c, doc.body(), columns, values);
        String sql = "INSERT INTO " + c.table() + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        execute(sql, values.toArray());
    }

    /** The columns that mirror body fields, for each collection that has some. */
    private static void derived(Collection c, ObjectNode body, List<String> columns, List<Object> values) {
        if (c.isJob()) {
            columns.add("status");
            values.add(body.path("status").asText(""));
            columns.add("expires_at");
            JsonNode expires = body.get("expires_at");
            values.add(expires == null || !expires.isNumber() ? new Null(Types.BIGINT) : (Object) expires.longValue());
        }
        if (c == Collection.MESSAGES) {
            columns.add("run_id");
            JsonNode run = body.get("run_id");
            values.add(run == null || !run.isTextual() ? new Null(Types.VARCHAR) : run.textValue());
        }
    }

    @Override
    public Optional<Document> get(Collection c, String parentId, String id) {
        return find(c, parentId, id, false);
    }

    @Override
    public Optional<Document> lock(Collection c, String parentId, String id) {
        return find(c, parentId, id, true);
    }

    private Optional<Document> find(Collection c, String parentId, String id, boolean forUpdate) {
        requireParent(c, parentId);
        String sql = "SELECT " + select(c) + " FROM " + c.table() + " WHERE id = ?"
                + (c.hasParent() ? " AND " + c.parentColumn() + " = ?" : "") + (forUpdate ? forUpdate() : "");
        List<Document> found = query(c, sql, c.hasParent() ? new Object[] {id, parentId} : new Object[] {id});
        return found.stream().findFirst();
    }

    private String forUpdate() {
        // SQLite has no row locks: its write transactions (BEGIN IMMEDIATE) hold the database's write lock.
        return backend == Backend.POSTGRESQL ? " FOR UPDATE" : "";
    }

    @Override
    public void update(Collection c, Document doc) {
        requireParent(c, doc.parentId());
        List<String> columns = new ArrayList<>(List.of("body"));
        List<Object> values = new ArrayList<>(List.of(write(doc.body())));
        derived(c, doc.body(), columns, values);
        StringBuilder sql = new StringBuilder("UPDATE ").append(c.table()).append(" SET ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(columns.get(i)).append(" = ?");
        }
        sql.append(" WHERE id = ?");
        values.add(doc.id());
        if (c.hasParent()) {
            sql.append(" AND ").append(c.parentColumn()).append(" = ?");
            values.add(doc.parentId());
        }
        if (execute(sql.toString(), values.toArray()) != 1) {
            throw new StateException("no " + c.table() + " row " + doc.id() + " to update");
        }
    }

    @Override
    public boolean delete(Collection c, String parentId, String id) {
        requireParent(c, parentId);
        String sql = "DELETE FROM " + c.table() + " WHERE id = ?" + (c.hasParent() ? " AND " + c.parentColumn() + " = ?" : "");
        return execute(sql, c.hasParent() ? new Object[] {id, parentId} : new Object[] {id}) > 0;
    }

    @Override
    public Page list(Collection c, String parentId, PageRequest page) {
        requireParent(c, parentId);
        return page(c, parentId, null, page);
    }

    @Override
    public Page listByRun(String threadId, String runId, PageRequest page) {
        return page(Collection.MESSAGES, threadId, runId, page);
    }

    /**
     * OpenAI's cursor paging. In the list's order, {@code after} keeps what follows the cursor and {@code before}
     * what precedes it; a page with {@code before} (and no {@code after}) is the part next to the cursor, so it is
     * read backwards and turned around. One extra row tells whether there is more.
     */
    private Page page(Collection c, String parentId, String runId, PageRequest page) {
        long[] afterKey = page.after() == null ? null : cursor(c, parentId, "after", page.after());
        long[] beforeKey = page.before() == null ? null : cursor(c, parentId, "before", page.before());
        boolean backwards = beforeKey != null && afterKey == null;
        // Reading direction in ascending-seq terms.
        boolean readAscending = page.ascending() != backwards;
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (c.hasParent()) {
            where.add(c.parentColumn() + " = ?");
            args.add(parentId);
        }
        if (runId != null) {
            where.add("run_id = ?");
            args.add(runId);
        }
        // "After" in list order means greater seq when ascending, smaller when descending; "before" the reverse.
        if (afterKey != null) {
            addBound(where, args, afterKey, page.ascending(), page.after());
        }
        if (beforeKey != null) {
            addBound(where, args, beforeKey, !page.ascending(), page.before());
        }
        String direction = readAscending ? "ASC" : "DESC";
        String sql = "SELECT " + select(c) + " FROM " + c.table()
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY seq " + direction + ", id " + direction + " LIMIT " + (page.limit() + 1);
        List<Document> rows = new ArrayList<>(query(c, sql, args.toArray()));
        boolean hasMore = rows.size() > page.limit();
        if (hasMore) {
            rows.removeLast();
        }
        if (backwards) {
            Collections.reverse(rows);
        }
        return new Page(rows, hasMore);
    }

    /** A condition keeping rows whose (seq, id) is greater ({@code greater}) or smaller than the cursor's. */
    private static void addBound(List<String> where, List<Object> args, long[] key, boolean greater, String id) {
        String op = greater ? ">" : "<";
        where.add("(seq " + op + " ? OR (seq = ? AND id " + op + " ?))");
        args.add(key[0]);
        args.add(key[0]);
        args.add(id);
    }

    /** The cursor's seq: the stored object's, else the one inside an id this store made. */
    private long[] cursor(Collection c, String parentId, String parameter, String id) {
        String sql = "SELECT seq FROM " + c.table() + " WHERE id = ?" + (c.hasParent() ? " AND " + c.parentColumn() + " = ?" : "");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, c.hasParent() ? new Object[] {id, parentId} : new Object[] {id});
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new long[] {rs.getLong(1)};
                }
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
        long seq = Ids.seqOf(id);
        if (seq < 0) {
            throw new InvalidCursorException(parameter, id);
        }
        return new long[] {seq};
    }

    @Override
    public List<Document> all(Collection c, String parentId) {
        requireParent(c, parentId);
        String sql = "SELECT " + select(c) + " FROM " + c.table() + (c.hasParent() ? " WHERE " + c.parentColumn() + " = ?" : "")
                + " ORDER BY seq, id";
        return query(c, sql, c.hasParent() ? new Object[] {parentId} : new Object[0]);
    }

    @Override
    public Optional<Document> firstWithStatus(Collection c, String parentId, Set<String> statuses) {
        requireJob(c);
        requireParent(c, parentId);
        List<Object> args = new ArrayList<>();
        String sql = "SELECT " + select(c) + " FROM " + c.table() + " WHERE status IN (" + marks(statuses.size()) + ")";
        args.addAll(statuses);
        if (c.hasParent()) {
            sql += " AND " + c.parentColumn() + " = ?";
            args.add(parentId);
        }
        return query(c, sql + " ORDER BY seq LIMIT 1", args.toArray()).stream().findFirst();
    }

    @Override
    public int count(Collection c, String parentId) {
        requireParent(c, parentId);
        String sql = "SELECT COUNT(*) FROM " + c.table() + (c.hasParent() ? " WHERE " + c.parentColumn() + " = ?" : "");
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, c.hasParent() ? new Object[] {parentId} : new Object[0]);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    @Override
    public void claim(Collection c, String id, String nodeId, long leaseUntilMillis) {
        requireJob(c);
        execute("UPDATE " + c.table() + " SET node_id = ?, lease_until = ? WHERE id = ?", nodeId, leaseUntilMillis, id);
    }

    @Override
    public void release(Collection c, String id) {
        requireJob(c);
        execute("UPDATE " + c.table() + " SET node_id = NULL, lease_until = NULL WHERE id = ?", id);
    }

    @Override
    public List<String> owned(Collection c, String nodeId, Set<String> statuses) {
        requireJob(c);
        String sql = "SELECT id FROM " + c.table() + " WHERE node_id = ? AND status IN (" + marks(statuses.size()) + ")";
        List<Object> args = new ArrayList<>();
        args.add(nodeId);
        args.addAll(statuses);
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
        return ids;
    }

    @Override
    public int renewLeases(Collection c, String nodeId, long leaseUntilMillis) {
        requireJob(c);
        return execute("UPDATE " + c.table() + " SET lease_until = ? WHERE node_id = ?", leaseUntilMillis, nodeId);
    }

    @Override
    public List<Document> lockOrphans(Collection c, Set<String> statuses, long nowMillis, int limit) {
        requireJob(c);
        String sql = "SELECT " + select(c) + " FROM " + c.table() + " WHERE status IN (" + marks(statuses.size())
                + ") AND (node_id IS NULL OR lease_until IS NULL OR lease_until < ?) ORDER BY seq LIMIT " + limit
                + skipLocked();
        List<Object> args = new ArrayList<>(statuses);
        args.add(nowMillis);
        return query(c, sql, args.toArray());
    }

    @Override
    public List<Document> lockExpired(Collection c, String status, long nowSeconds, int limit) {
        requireJob(c);
        String sql = "SELECT " + select(c) + " FROM " + c.table()
                + " WHERE status = ? AND expires_at IS NOT NULL AND expires_at < ? ORDER BY seq LIMIT " + limit
                + skipLocked();
        return query(c, sql, status, nowSeconds);
    }

    @Override
    public List<Document> lockWithStatus(Collection c, Set<String> statuses) {
        requireJob(c);
        String sql = "SELECT " + select(c) + " FROM " + c.table() + " WHERE status IN (" + marks(statuses.size())
                + ") ORDER BY seq" + forUpdate();
        return query(c, sql, statuses.toArray());
    }

    private String skipLocked() {
        return backend == Backend.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "";
    }

    private static String marks(int n) {
        if (n == 0) {
            throw new IllegalArgumentException("no statuses");
        }
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static String select(Collection c) {
        return "id, " + (c.hasParent() ? c.parentColumn() : "NULL") + ", seq, body";
    }

    private static void requireParent(Collection c, String parentId) {
        if (c.hasParent() && parentId == null) {
            throw new IllegalArgumentException(c.table() + " belong to a parent: its id is required");
        }
    }

    private static void requireJob(Collection c) {
        if (!c.isJob()) {
            throw new IllegalArgumentException(c.table() + " are not jobs");
        }
    }

    private List<Document> query(Collection c, String sql, Object... args) {
        List<Document> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Document(rs.getString(1), c.hasParent() ? rs.getString(2) : null, rs.getLong(3),
                            read(rs.getString(4))));
                }
            }
        } catch (SQLException e) {
            throw failed(sql, e);
        }
        return out;
    }

    private int execute(String sql, Object... args) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failed(sql, e);
        }
    }

    /** A SQL NULL of a type, for a column value that is absent. */
    private record Null(int sqlType) {
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            switch (a) {
                case Null n -> ps.setNull(i + 1, n.sqlType());
                case String s -> ps.setString(i + 1, s);
                case Long l -> ps.setLong(i + 1, l);
                case Integer n -> ps.setInt(i + 1, n);
                default -> throw new IllegalArgumentException("cannot bind " + a.getClass());
            }
        }
    }

    private static String write(ObjectNode body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new StateException("cannot write a document as JSON", e);
        }
    }

    private static ObjectNode read(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (!(node instanceof ObjectNode o)) {
                throw new StateException("a stored document is not a JSON object");
            }
            return o;
        } catch (JsonProcessingException e) {
            throw new StateException("a stored document is not valid JSON", e);
        }
    }

    private static StateException failed(String sql, SQLException e) {
        return new SqlFailure(sql, e);
    }

    /** A failed statement, with the SQL state a caller may retry on. */
    public static final class SqlFailure extends StateException {
        private static final long serialVersionUID = 1L;

        SqlFailure(String sql, SQLException cause) {
            super("database statement failed (" + cause.getMessage() + "): " + sql, cause);
        }

        /** The SQL state of the failure, or {@code null}. */
        public String sqlState() {
            return ((SQLException) getCause()).getSQLState();
        }
    }
}
