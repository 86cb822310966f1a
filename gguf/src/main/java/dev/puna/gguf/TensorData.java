package dev.puna.gguf;

/**
 * Supplies a tensor's values one row at a time, so that {@link GgufWriter} can stream a large tensor to disk
 * without it ever existing as one array.
 *
 * <p>A row holds {@code dims[0]} elements; rows are numbered in file order, i.e. row {@code r} of a tensor with
 * dimensions {@code [n0, n1, n2]} holds the elements {@code [*, r % n1, r / n1]}.
 */
@FunctionalInterface
public interface TensorData {

    /**
     * Writes row {@code rowIndex} into {@code row}. The writer reuses {@code row} between calls, so every element
     * must be written. Implementations should be deterministic: writing a file twice must call this twice.
     *
     * @param rowIndex the row, from 0 to the product of all dimensions but the first, exclusive
     * @param row receives the row's {@code dims[0]} values
     */
    void fill(long rowIndex, float[] row);
}
