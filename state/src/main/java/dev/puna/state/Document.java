package dev.puna.state;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One stored object: its id, its parent's id (or {@code null}), its place in creation order, and the JSON object
 * the API serves for it. The body is the caller's to change; {@link Transaction#update} writes it back.
 *
 * @param id the object's id
 * @param parentId the parent's id (the thread of a message, ...), or {@code null} for a collection without parents
 * @param seq creation order ({@link Ids#nextSeq()}); lists are ordered by it
 * @param body the object as the API serves it
 */
public record Document(String id, String parentId, long seq, ObjectNode body) {
    public Document {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(body, "body");
    }

    /** A new document whose seq comes from its id (as for ids made by {@link Ids#next}), else a fresh one. */
    public static Document of(String id, String parentId, ObjectNode body) {
        long seq = Ids.seqOf(id);
        return new Document(id, parentId, seq >= 0 ? seq : Ids.nextSeq(), body);
    }

    /** This document with {@code body} instead. */
    public Document withBody(ObjectNode newBody) {
        return new Document(id, parentId, seq, newBody);
    }
}
