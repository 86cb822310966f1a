package dev.puna.state;

import java.util.List;

/**
 * One page of a list, in the order asked for.
 *
 * @param data the objects
 * @param hasMore whether more objects lie beyond this page in the direction of paging (after the last one, or
 *     before the first one when paging with {@code before} alone)
 */
public record Page(List<Document> data, boolean hasMore) {
    public Page {
        data = List.copyOf(data);
    }
}
