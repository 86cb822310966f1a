package dev.puna.gguf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The header of a GGUF file: its metadata and the descriptions of its tensors, read and validated by
 * {@link #read(Path)}. The tensor data itself is never read, so parsing a multi-gigabyte model takes
 * milliseconds.
 *
 * <p>Metadata values are boxed as follows: every integer type as a {@link Long} (a UINT64 above
 * {@code Long.MAX_VALUE} keeps its bits, i.e. reads as negative), FLOAT32 and FLOAT64 as a {@link Double}, BOOL as
 * a {@link Boolean}, STRING as a {@link String} and ARRAY as an unmodifiable {@code List<Object>} of such values.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class GgufFile {
    /** The metadata key that overrides the {@linkplain #DEFAULT_ALIGNMENT default alignment}; a UINT32. */
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** The alignment of tensor data when the file does not set {@value #ALIGNMENT_KEY}. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The metadata key naming the model architecture, e.g. {@code llama}. */
    public static final String ARCHITECTURE_KEY = "general.architecture";

    private final Path path;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> types;
    private final List<GgufTensorInfo> tensors;
    private final long dataOffset;
    private final int alignment;
    private final long fileSize;

    GgufFile(Path path, int version, Map<String, Object> metadata, Map<String, GgufValueType> types,
            List<GgufTensorInfo> tensors, long dataOffset, int alignment, long fileSize) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        this.types = Map.copyOf(types);
        this.tensors = List.copyOf(tensors);
        this.dataOffset = dataOffset;
        this.alignment = alignment;
        this.fileSize = fileSize;
    }

    /**
     * Reads and validates the header of the GGUF file at {@code path}.
     *
     * <p>Besides the structure (magic, version, every count and length bounded by the bytes left in the file), this
     * checks what makes a file unloadable: unknown tensor types, duplicate keys or tensor names, misaligned tensor
     * offsets and tensor data running past the end of the file (a truncated download).
     *
     * @throws GgufFormatException if the file is not a valid GGUF file; the message names the file and the problem
     * @throws NoSuchFileException if there is no file at {@code path}
     * @throws FileSystemException if {@code path} is a directory
     * @throws IOException if the file cannot be read
     */
    public static GgufFile read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new FileSystemException(path.toString(), null, "is a directory, not a GGUF file");
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return new GgufParser(path, new FileInput(path.toString(), channel)).parse();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no such GGUF file");
        }
    }

    /** The file this header was read from. */
    public Path path() {
        return path;
    }

    /** The GGUF version: 2 or 3. */
    public int version() {
        return version;
    }

    /** The file's size in bytes when it was read. */
    public long fileSize() {
        return fileSize;
    }

    /** All metadata in file order, boxed as described in the {@linkplain GgufFile class documentation}. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * The type a metadata value was stored with, which the boxing of {@link #metadata()} hides (a UINT8 and an INT64
     * are both a {@code Long}).
     */
    public Optional<GgufValueType> valueType(String key) {
        return Optional.ofNullable(types.get(key));
    }

    /**
     * A string value.
     *
     * @return the value, or empty if the key is absent
     * @throws IllegalStateException if the value is not a string
     */
    public Optional<String> getString(String key) {
        return Optional.ofNullable(typed(key, String.class, "a STRING"));
    }

    /**
     * A value of any integer type (UINT8 to INT64).
     *
     * @return the value (a UINT64 above {@code Long.MAX_VALUE} reads as negative), or empty if the key is absent
     * @throws IllegalStateException if the value is not an integer
     */
    public OptionalLong getLong(String key) {
        Long value = typed(key, Long.class, "an integer");
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /**
     * A FLOAT32 or FLOAT64 value.
     *
     * @return the value, or empty if the key is absent
     * @throws IllegalStateException if the value is not a floating-point number
     */
    public OptionalDouble getDouble(String key) {
        Double value = typed(key, Double.class, "a FLOAT32 or FLOAT64");
        return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /**
     * A BOOL value.
     *
     * @return the value, or empty if the key is absent
     * @throws IllegalStateException if the value is not a BOOL
     */
    public Optional<Boolean> getBoolean(String key) {
        return Optional.ofNullable(typed(key, Boolean.class, "a BOOL"));
    }

    /** The model architecture ({@value #ARCHITECTURE_KEY}), e.g. {@code llama}; empty if the file names none. */
    public Optional<String> architecture() {
        return getString(ARCHITECTURE_KEY);
    }

    /** The tensors in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, if the file has one. */
    public Optional<GgufTensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Where the tensor data section starts: the end of the header, rounded up to the {@linkplain #alignment()}. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The alignment of tensor data in bytes: {@value #ALIGNMENT_KEY}, or {@value #DEFAULT_ALIGNMENT}. */
    public int alignment() {
        return alignment;
    }

    @Override
    public String toString() {
        return "GgufFile[%s, v%d, %d metadata entries, %d tensors]"
                .formatted(path, version, metadata.size(), tensors.size());
    }

    private <T> T typed(String key, Class<T> type, String expected) {
        Object value = metadata.get(key);
        if (value != null && !type.isInstance(value)) {
            throw new IllegalStateException("%s: metadata key '%s' holds %s, not %s"
                    .formatted(path, key, types.get(key), expected));
        }
        return type.cast(value);
    }
}
