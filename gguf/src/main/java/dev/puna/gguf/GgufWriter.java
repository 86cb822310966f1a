package dev.puna.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds a GGUF version 3 file: metadata in the order it is put, then tensors in the order they are added, each
 * padded to the alignment (32 bytes, or the UINT32 {@value GgufFile#ALIGNMENT_KEY} if one is put).
 *
 * <p>Tensor values are encoded as F32, F16 (IEEE half, round to nearest even) or Q8_0 (ggml's reference
 * quantization) while the file is written; they come from a {@code float[]} or, for tensors too large to hold in
 * memory, a {@link TensorData} that produces one row at a time. Dimensions are in ggml order: {@code dims[0]} is
 * the row length.
 *
 * <p>Every put or add is validated immediately, so a bad value fails naming its key or tensor. A writer can write
 * the same file several times (its {@code TensorData} is called again each time). Not thread-safe.
 */
public final class GgufWriter {
    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    private GgufWriter() {
    }

    /** A writer with no metadata and no tensors. */
    public static GgufWriter create() {
        return new GgufWriter();
    }

    /** Puts a UINT8 ({@code 0..255}). */
    public GgufWriter putUInt8(String key, int value) {
        return put(key, GgufValueType.UINT8, value);
    }

    /** Puts an INT8. */
    public GgufWriter putInt8(String key, byte value) {
        return put(key, GgufValueType.INT8, value);
    }

    /** Puts a UINT16 ({@code 0..65535}). */
    public GgufWriter putUInt16(String key, int value) {
        return put(key, GgufValueType.UINT16, value);
    }

    /** Puts an INT16. */
    public GgufWriter putInt16(String key, short value) {
        return put(key, GgufValueType.INT16, value);
    }

    /** Puts a UINT32 ({@code 0..2^32-1}). */
    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    /** Puts an INT32. */
    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    /** Puts a UINT64; values above {@code Long.MAX_VALUE} are passed as their (negative) bits. */
    public GgufWriter putUInt64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    /** Puts an INT64. */
    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    /** Puts a FLOAT32. */
    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    /** Puts a FLOAT64. */
    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    /** Puts a BOOL. */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    /** Puts a STRING. */
    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    /** Puts an ARRAY of any element type, arrays of arrays included. */
    public GgufWriter putArray(String key, GgufArray array) {
        return put(key, GgufValueType.ARRAY, array);
    }

    /** Puts an ARRAY of STRING. */
    public GgufWriter putStringArray(String key, List<String> values) {
        return putArray(key, new GgufArray(GgufValueType.STRING, values));
    }

    /** Puts an ARRAY of INT32. */
    public GgufWriter putInt32Array(String key, int[] values) {
        return putArray(key, new GgufArray(GgufValueType.INT32, Arrays.stream(values).boxed().toList()));
    }

    /** Puts an ARRAY of FLOAT32. */
    public GgufWriter putFloat32Array(String key, float[] values) {
        List<Float> boxed = new ArrayList<>(values.length);
        for (float value : values) {
            boxed.add(value);
        }
        return putArray(key, new GgufArray(GgufValueType.FLOAT32, boxed));
    }

    /**
     * Adds a tensor whose values are all in memory.
     *
     * @param dims the dimensions in ggml order ({@code dims[0]} is the row length)
     * @param values the values in row-major ggml order, exactly as many as the dimensions multiply to; the writer
     *         reads them when it writes, so they must not change before then
     * @throws IllegalArgumentException if the tensor is invalid (see {@link #addTensor(String, GgmlType, long[],
     *         TensorData)}) or {@code values} has the wrong length
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, float[] values) {
        Tensor tensor = new Tensor(name, type, dims.clone(),
                (row, out) -> System.arraycopy(values, Math.toIntExact(row * out.length), out, 0, out.length));
        if (values.length != tensor.elementCount()) {
            throw new IllegalArgumentException("tensor '%s' has %d elements but %d values were given"
                    .formatted(name, tensor.elementCount(), values.length));
        }
        return add(tensor);
    }

    /**
     * Adds a tensor whose rows {@code data} produces while the file is written.
     *
     * @param type F32, F16 or Q8_0
     * @param dims one to four dimensions in ggml order ({@code dims[0]} is the row length, a multiple of the type's
     *         block size)
     * @throws IllegalArgumentException if the name is empty, longer than 63 UTF-8 bytes or already used, the type
     *         cannot be written, or the dimensions are invalid
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorData data) {
        return add(new Tensor(name, type, dims.clone(), Objects.requireNonNull(data, "data")));
    }

    /**
     * Writes the file to {@code file} atomically: into a temporary file in the same directory, which then replaces
     * {@code file}, so that a reader never sees a half-written model.
     */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path temp = target.resolveSibling(".%s.%x.tmp".formatted(target.getFileName(),
                ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                writeTo(new ByteSink(channel));
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Writes the file to {@code out}, which stays open. */
    public void write(OutputStream out) throws IOException {
        writeTo(new ByteSink(Channels.newChannel(out)));
        out.flush();
    }

    private GgufWriter put(String key, GgufValueType type, Object value) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("metadata keys cannot be empty");
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("metadata key '%s' is already set".formatted(key));
        }
        try {
            MetadataValues.check(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("metadata key '%s': %s".formatted(key, e.getMessage()), e);
        }
        if (key.equals(GgufFile.ALIGNMENT_KEY) && (type != GgufValueType.UINT32 || !isAlignment((Long) value))) {
            throw new IllegalArgumentException(GgufFile.ALIGNMENT_KEY + " must be a UINT32 power of 2 up to 2^30");
        }
        metadata.put(key, new Value(type, value));
        return this;
    }

    private GgufWriter add(Tensor tensor) {
        if (tensors.containsKey(tensor.name)) {
            throw new IllegalArgumentException("tensor '%s' is already added".formatted(tensor.name));
        }
        tensors.put(tensor.name, tensor);
        return this;
    }

    private int alignment() {
        Value value = metadata.get(GgufFile.ALIGNMENT_KEY);
        return value == null ? GgufFile.DEFAULT_ALIGNMENT : (int) (long) (Long) value.value;
    }

    private void writeTo(ByteSink sink) throws IOException {
        int alignment = alignment();
        sink.putInt(GgufFormat.MAGIC);
        sink.putInt(GgufFormat.VERSION);
        sink.putLong(tensors.size());
        sink.putLong(metadata.size());
        for (Map.Entry<String, Value> entry : metadata.entrySet()) {
            sink.putString(entry.getKey());
            sink.putInt(entry.getValue().type.id());
            MetadataValues.write(sink, entry.getValue().type, entry.getValue().value);
        }
        long offset = 0;
        for (Tensor tensor : tensors.values()) {
            sink.putString(tensor.name);
            sink.putInt(tensor.dims.length);
            for (long dim : tensor.dims) {
                sink.putLong(dim);
            }
            sink.putInt(tensor.type.id());
            sink.putLong(offset);
            offset += alignUp(tensor.byteSize(), alignment);
        }
        sink.padTo(alignment);
        for (Tensor tensor : tensors.values()) {
            float[] row = new float[(int) tensor.dims[0]];
            long rows = tensor.elementCount() / row.length;
            for (long r = 0; r < rows; r++) {
                tensor.data.fill(r, row);
                TensorEncoder.encode(tensor.type, row, sink);
            }
            sink.padTo(alignment);
        }
        sink.flush();
    }

    private static boolean isAlignment(long value) {
        return Long.bitCount(value) == 1 && value <= GgufFormat.MAX_ALIGNMENT;
    }

    private static long alignUp(long size, int alignment) {
        return (size + alignment - 1) / alignment * alignment;
    }

    private record Value(GgufValueType type, Object value) {
    }

    private record Tensor(String name, GgmlType type, long[] dims, TensorData data) {
        Tensor {
            if (name == null || name.isEmpty()
                    || name.getBytes(StandardCharsets.UTF_8).length > GgufFormat.MAX_TENSOR_NAME_BYTES) {
                throw new IllegalArgumentException("tensor name '%s' must have 1 to %d UTF-8 bytes"
                        .formatted(name, GgufFormat.MAX_TENSOR_NAME_BYTES));
            }
            if (!TensorEncoder.SUPPORTED.contains(type)) {
                throw new IllegalArgumentException("tensor '%s': writing %s is not supported (only %s)"
                        .formatted(name, type, TensorEncoder.SUPPORTED));
            }
            if (dims.length == 0 || dims.length > GgufFormat.MAX_DIMS || Arrays.stream(dims).anyMatch(d -> d < 1)) {
                throw new IllegalArgumentException("tensor '%s': dimensions %s must be 1 to %d positive numbers"
                        .formatted(name, Arrays.toString(dims), GgufFormat.MAX_DIMS));
            }
            if (dims[0] % type.blockSize() != 0 || dims[0] > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(
                        "tensor '%s': a row of %d elements is not a whole number of %s blocks"
                        .formatted(name, dims[0], type));
            }
            try {
                type.byteSize(product(dims));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '%s': dimensions %s are too large"
                        .formatted(name, Arrays.toString(dims)), e);
            }
        }

        long elementCount() {
            return product(dims);
        }

        long byteSize() {
            return type.byteSize(elementCount());
        }

        private static long product(long[] dims) {
            return Arrays.stream(dims).reduce(1, Math::multiplyExact);
        }
    }
}
