package dev.puna.store.internal.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.store.Digest;
import dev.puna.store.internal.GoJson;
import dev.puna.store.internal.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bookkeeping of a partial download ({@code sha256-<hex>-partial.json} next to the {@code -partial} data
 * file): the blob's size and, per part, its byte range and how many of its bytes are in the data file.
 *
 * <p>A part's counter only grows after its bytes were written to the data file, and the bookkeeping file is
 * replaced atomically, so after a crash (or {@code kill -9}) it never claims more than the data file holds; the
 * bytes it does not claim are downloaded again. Whatever happens, the blob's sha256 is verified before it is
 * used, so a partial file that is wrong in any way costs a download, never a corrupt blob.
 */
public final class PartialState {
    /**
     * One part.
     *
     * @param offset where the part starts in the blob
     * @param size how many bytes the part has
     * @param completed how many of them, from {@code offset} on, are written
     */
    public record Part(long offset, long size, AtomicLong completed) {
        /** The bytes still to download. */
        long remaining() {
            return size - completed.get();
        }
    }

    private final Digest digest;
    private final long size;
    private final List<Part> parts;

    private PartialState(Digest digest, long size, List<Part> parts) {
        this.digest = digest;
        this.size = size;
        this.parts = List.copyOf(parts);
    }

    /** A fresh state: {@code size} bytes in parts of {@code partSize}, nothing downloaded. */
    public static PartialState fresh(Digest digest, long size, long partSize) {
        List<Part> parts = new ArrayList<>();
        for (long offset = 0; offset < size; offset += partSize) {
            parts.add(new Part(offset, Math.min(partSize, size - offset), new AtomicLong()));
        }
        return new PartialState(digest, size, parts);
    }

    /**
     * The state saved at {@code file}, if it exists, describes this blob, and is consistent (parts that tile
     * {@code [0, size)} with counters within bounds); else empty, and the download starts over.
     */
    public static java.util.Optional<PartialState> load(Path file, Digest digest, long size) {
        try {
            JsonNode root = GoJson.MAPPER.readTree(Files.readAllBytes(file));
            if (!digest.toString().equals(root.path("digest").asText()) || root.path("size").asLong(-1) != size) {
                return java.util.Optional.empty();
            }
            List<Part> parts = new ArrayList<>();
            long expected = 0;
            for (JsonNode p : root.path("parts")) {
                long offset = p.path("offset").asLong(-1);
                long partSize = p.path("size").asLong(-1);
                long completed = p.path("completed").asLong(-1);
                if (offset != expected || partSize <= 0 || completed < 0 || completed > partSize) {
                    return java.util.Optional.empty();
                }
                parts.add(new Part(offset, partSize, new AtomicLong(completed)));
                expected += partSize;
            }
            if (expected != size) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new PartialState(digest, size, parts));
        } catch (NoSuchFileException e) {
            return java.util.Optional.empty();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** Writes the state atomically. */
    public void save(Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("digest", digest.toString());
        json.put("size", size);
        List<Object> list = new ArrayList<>();
        for (Part p : parts) {
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("offset", p.offset());
            part.put("size", p.size());
            part.put("completed", p.completed().get());
            list.add(part);
        }
        json.put("parts", list);
        StoreLayout.writeAtomically(file, GoJson.encode(json, true));
    }

    /** The parts. */
    public List<Part> parts() {
        return parts;
    }

    /** The bytes downloaded so far, over all parts. */
    public long completed() {
        long done = 0;
        for (Part p : parts) {
            done += p.completed().get();
        }
        return done;
    }

    /** The blob's size. */
    public long size() {
        return size;
    }
}
