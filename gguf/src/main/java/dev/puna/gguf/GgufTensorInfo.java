package dev.puna.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One tensor described in a GGUF file's header.
 *
 * @param name the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param dims the dimensions in ggml order: {@code dims.get(0)} is the row length ({@code ne[0]})
 * @param type the element type
 * @param offset where the tensor's data starts, as an absolute offset in the file
 * @param byteSize how many bytes the data takes (without the padding that may follow it)
 */
public record GgufTensorInfo(String name, List<Long> dims, GgmlType type, long offset, long byteSize) {

    /** Validates the components and copies {@code dims} into an unmodifiable list. */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = List.copyOf(dims);
    }

    /** The number of elements: the product of the dimensions. */
    public long elementCount() {
        long count = 1;
        for (long dim : dims) {
            count *= dim;
        }
        return count;
    }
}
