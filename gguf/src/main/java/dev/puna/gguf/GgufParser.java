package dev.puna.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a GGUF header (metadata and tensor infos) without touching the tensor data.
 *
 * <p>Counts and lengths in a file are untrusted: each is checked against the bytes left in the file before
 * anything is read or allocated for it, and collections grow with what is actually read rather than being sized
 * from a count. A corrupt file therefore fails with a {@link GgufFormatException}, never an
 * {@code OutOfMemoryError}. The checks follow those of llama.cpp's {@code gguf_init_from_file}, so a file this
 * parser accepts is not rejected there for its structure, plus the bounds of Ollama's reader (strings of at most
 * 16 MiB, arrays of at most 64 Mi elements, after CVE-2026-7482): tensors packed in order at aligned offsets, each
 * within the file, at most 4 dimensions, element and byte counts that do not overflow.
 *
 * <p>Then the metadata keys that llama.cpp reads without checking their type ({@code gguf_get_val_str} and friends
 * abort the process on a mismatch) or whose lengths it trusts are checked against what llama.cpp expects
 * ({@link #KNOWN_TYPES}, the vocabulary arrays), so that no file that passes here can crash the JVM there.
 */
final class GgufParser {
    /** Arrays of arrays are legal GGUF, but a corrupt file must not be able to nest them until the stack overflows. */
    private static final int MAX_ARRAY_DEPTH = 8;
    /** A key (length and at least one byte), a value type and the smallest value. */
    private static final int MIN_ENTRY_BYTES = 8 + 1 + 4 + 1;
    /** A name length, a dimension count, a type and an offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    private final Path path;
    private final FileInput in;
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, GgufValueType> types = new LinkedHashMap<>();
    /** The element type of each top-level array value. */
    private final Map<String, GgufValueType> elementTypes = new LinkedHashMap<>();

    GgufParser(Path path, FileInput in) {
        this.path = path;
        this.in = in;
    }

    GgufFile parse() throws IOException {
        int version = readHeader();
        long tensorCount = readCount(MIN_TENSOR_INFO_BYTES, "tensors");
        long entryCount = readCount(MIN_ENTRY_BYTES, "metadata entries");
        for (long i = 0; i < entryCount; i++) {
            readEntry(i);
        }
        int alignment = alignment();
        checkKnownKeys();
        List<TensorHeader> headers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            TensorHeader header = readTensorHeader(i, alignment);
            if (!names.add(header.name)) {
                throw in.error("duplicate tensor name '%s'".formatted(header.name));
            }
            headers.add(header);
        }
        long dataOffset = alignUp(in.position(), alignment);
        if (tensorCount > 0 && dataOffset > in.size()) {
            throw in.error("truncated: the tensor data starts at byte %d but the file has %d bytes"
                    .formatted(dataOffset, in.size()));
        }
        List<GgufTensorInfo> tensors = new ArrayList<>(headers.size());
        long expected = 0;
        for (TensorHeader header : headers) {
            // llama.cpp requires the data packed in order, each tensor padded to the alignment.
            if (header.offset != expected) {
                throw in.error(("tensor '%s' has offset %d, expected %d (tensor data must follow in order, each "
                        + "padded to the alignment of %d)").formatted(header.name, header.offset, expected, alignment));
            }
            tensors.add(locate(header, dataOffset));
            expected = header.offset + alignUp(header.byteSize, alignment);
        }
        return new GgufFile(path, version, metadata, types, tensors, dataOffset, alignment, in.size());
    }

    private int readHeader() throws IOException {
        if (in.size() < 4) {
            throw in.error("not a GGUF file (only %d bytes long)".formatted(in.size()));
        }
        int magic = in.readInt();
        if (magic != GgufFormat.MAGIC) {
            throw in.error("not a GGUF file (magic 0x%08x)".formatted(magic));
        }
        int version = in.readInt();
        if (version == 2 || version == 3) {
            return version;
        }
        if ((version & 0xFFFF) == 0) {
            // A big-endian file's version 3 reads as 0x03000000 here.
            throw in.error("GGUF version 0x%08x: a big-endian file? only little-endian GGUF is supported"
                    .formatted(version));
        }
        throw in.error("unsupported GGUF version %s (supported: 2 and 3)".formatted(Integer.toUnsignedString(version)));
    }

    private long readCount(int minBytesEach, String what) throws IOException {
        long count = in.readLong();
        if (count < 0 || count > in.remaining() / minBytesEach) {
            throw in.error("corrupt header: %s %s cannot fit in the %d bytes left in the file"
                    .formatted(Long.toUnsignedString(count), what, in.remaining()));
        }
        return count;
    }

    private void readEntry(long index) throws IOException {
        in.section("the key of metadata entry #" + index);
        String key = in.readString();
        if (key.isEmpty()) {
            throw in.error("metadata entry #%d has an empty key".formatted(index));
        }
        if (metadata.containsKey(key)) {
            throw in.error("duplicate metadata key '%s'".formatted(key));
        }
        in.section("the value of metadata key '" + key + "'");
        GgufValueType type = readType(key);
        metadata.put(key, readValue(type, key, 0));
        types.put(key, type);
    }

    private GgufValueType readType(String key) throws IOException {
        int id = in.readInt();
        return GgufValueType.fromId(id)
                .orElseThrow(() -> in.error("metadata key '%s' has unknown value type %d".formatted(key, id)));
    }

    private Object readValue(GgufValueType type, String key, int depth) throws IOException {
        return switch (type) {
            case STRING -> in.readString();
            case ARRAY -> readArray(key, depth + 1);
            default -> PackedArray.decode(type, ByteBuffer.wrap(in.readBytes(type.fixedSize()))
                    .order(ByteOrder.LITTLE_ENDIAN), 0);
        };
    }

    private List<Object> readArray(String key, int depth) throws IOException {
        if (depth > MAX_ARRAY_DEPTH) {
            throw in.error("metadata key '%s' nests arrays more than %d deep".formatted(key, MAX_ARRAY_DEPTH));
        }
        GgufValueType elementType = readType(key);
        if (depth == 1) {
            elementTypes.put(key, elementType);
        }
        long count = in.readLong();
        if (count < 0 || count > in.remaining() / elementType.minimumSize()) {
            throw in.error("corrupt array '%s': %s %s elements cannot fit in the %d bytes left in the file"
                    .formatted(key, Long.toUnsignedString(count), elementType, in.remaining()));
        }
        if (count > GgufFormat.MAX_ARRAY_ELEMENTS) {
            throw in.error("array '%s' has %d elements, more than the limit of %d"
                    .formatted(key, count, GgufFormat.MAX_ARRAY_ELEMENTS));
        }
        if (elementType.isFixedSize()) {
            long bytes = count * elementType.fixedSize();
            if (bytes > Integer.MAX_VALUE - 8) {
                throw in.error("array '%s' of %d %s elements is too large".formatted(key, count, elementType));
            }
            return new PackedArray(elementType, in.readBytes((int) bytes));
        }
        List<Object> elements = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            elements.add(readValue(elementType, key, depth));
        }
        return Collections.unmodifiableList(elements);
    }

    private int alignment() throws GgufFormatException {
        Object value = metadata.get(GgufFile.ALIGNMENT_KEY);
        if (value == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        if (types.get(GgufFile.ALIGNMENT_KEY) != GgufValueType.UINT32) {
            throw in.error("%s must be a UINT32, not a %s".formatted(GgufFile.ALIGNMENT_KEY,
                    types.get(GgufFile.ALIGNMENT_KEY)));
        }
        long alignment = (Long) value;
        if (Long.bitCount(alignment) != 1) {
            throw in.error("%s %d is not a power of 2".formatted(GgufFile.ALIGNMENT_KEY, alignment));
        }
        if (alignment > GgufFormat.MAX_ALIGNMENT) {
            throw in.error("%s %d is larger than %d"
                    .formatted(GgufFile.ALIGNMENT_KEY, alignment, GgufFormat.MAX_ALIGNMENT));
        }
        return (int) alignment;
    }

    private static final String TOKENS = "tokenizer.ggml.tokens";
    private static final String SCORES = "tokenizer.ggml.scores";
    private static final String TOKEN_TYPES = "tokenizer.ggml.token_type";

    /** What llama.cpp reads these keys as; a file that stores another type would abort it, or be misread. */
    private static final Map<String, Set<String>> KNOWN_TYPES = Map.ofEntries(
            Map.entry(GgufFile.ARCHITECTURE_KEY, Set.of("STRING")),
            Map.entry("general.type", Set.of("STRING")),
            Map.entry("general.name", Set.of("STRING")),
            Map.entry("adapter.type", Set.of("STRING")),
            Map.entry("adapter.lora.alpha", Set.of("FLOAT32")),
            Map.entry("adapter.alora.invocation_tokens", Set.of("ARRAY of UINT32", "ARRAY of INT32")),
            Map.entry("split.no", Set.of("UINT16")),
            Map.entry("split.count", Set.of("UINT16")),
            Map.entry("tokenizer.ggml.model", Set.of("STRING")),
            Map.entry("tokenizer.ggml.pre", Set.of("STRING")),
            Map.entry("tokenizer.chat_template", Set.of("STRING")),
            Map.entry(TOKENS, Set.of("ARRAY of STRING")),
            Map.entry(SCORES, Set.of("ARRAY of FLOAT32", "ARRAY of INT32")),
            Map.entry(TOKEN_TYPES, Set.of("ARRAY of INT32")),
            Map.entry("tokenizer.ggml.merges", Set.of("ARRAY of STRING")),
            Map.entry("tokenizer.ggml.precompiled_charsmap", Set.of("ARRAY of UINT8", "ARRAY of INT8")));

    private void checkKnownKeys() throws GgufFormatException {
        for (Map.Entry<String, Set<String>> known : KNOWN_TYPES.entrySet()) {
            String key = known.getKey();
            if (!types.containsKey(key)) {
                continue;
            }
            String actual = typeName(key);
            if (!known.getValue().contains(actual)) {
                throw in.error("metadata key '%s' is a %s, expected %s".formatted(key, actual,
                        String.join(" or ", known.getValue().stream().sorted().toList())));
            }
        }
        // llama.cpp reads a score and a type for every token.
        int tokens = arrayLength(TOKENS);
        for (String parallel : List.of(SCORES, TOKEN_TYPES)) {
            int n = arrayLength(parallel);
            if (tokens >= 0 && n >= 0 && n < tokens) {
                throw in.error("metadata array '%s' has %d elements but '%s' has %d tokens"
                        .formatted(parallel, n, TOKENS, tokens));
            }
        }
    }

    /** {@code STRING}, {@code UINT32}, or {@code ARRAY of T} for an array of T. */
    private String typeName(String key) {
        GgufValueType type = types.get(key);
        if (type != GgufValueType.ARRAY) {
            return type.name();
        }
        return "ARRAY of " + elementTypes.get(key).name();
    }

    private int arrayLength(String key) {
        return metadata.get(key) instanceof List<?> list ? list.size() : -1;
    }

    private TensorHeader readTensorHeader(long index, int alignment) throws IOException {
        in.section("the name of tensor #" + index);
        String name = in.readString();
        if (name.getBytes(StandardCharsets.UTF_8).length > GgufFormat.MAX_TENSOR_NAME_BYTES) {
            throw in.error("tensor #%d name '%s' is longer than %d bytes"
                    .formatted(index, name, GgufFormat.MAX_TENSOR_NAME_BYTES));
        }
        in.section("the info of tensor '" + name + "'");
        int dimCount = in.readInt();
        if (dimCount < 0 || dimCount > GgufFormat.MAX_DIMS) {
            throw in.error("tensor '%s' has %s dimensions (at most %d are allowed)"
                    .formatted(name, Integer.toUnsignedString(dimCount), GgufFormat.MAX_DIMS));
        }
        List<Long> dims = new ArrayList<>(dimCount);
        long elements = 1;
        for (int d = 0; d < dimCount; d++) {
            long dim = in.readLong();
            if (dim < 0) {
                throw in.error("tensor '%s' dimension %d is %s".formatted(name, d, Long.toUnsignedString(dim)));
            }
            dims.add(dim);
            elements = multiply(elements, dim, name);
        }
        int typeId = in.readInt();
        GgmlType type = GgmlType.fromId(typeId)
                .orElseThrow(() -> in.error("tensor '%s' has unknown ggml type %d".formatted(name, typeId)));
        long rowLength = dimCount == 0 ? 1 : dims.getFirst();
        if (rowLength % type.blockSize() != 0) {
            throw in.error("tensor '%s' of type %s has rows of %d elements, not a multiple of its block size %d"
                    .formatted(name, type, rowLength, type.blockSize()));
        }
        long offset = in.readLong();
        if (offset < 0 || offset % alignment != 0) {
            throw in.error("tensor '%s' has offset %s, which is not a multiple of the alignment %d"
                    .formatted(name, Long.toUnsignedString(offset), alignment));
        }
        long byteSize = multiply(elements / type.blockSize(), type.bytesPerBlock(), name);
        return new TensorHeader(name, dims, type, offset, byteSize);
    }

    private GgufTensorInfo locate(TensorHeader header, long dataOffset) throws GgufFormatException {
        long start = dataOffset + header.offset;
        long end = start + header.byteSize;
        if (start < 0 || end < 0 || end > in.size()) {
            throw in.error("truncated: tensor '%s' ends at byte %s but the file has %d bytes"
                    .formatted(header.name, end < 0 ? "beyond 2^63" : Long.toString(end), in.size()));
        }
        return new GgufTensorInfo(header.name, header.dims, header.type, start, header.byteSize);
    }

    private long multiply(long a, long b, String tensor) throws GgufFormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw in.error("tensor '%s' is too large (its size overflows 64 bits)".formatted(tensor));
        }
    }

    private static long alignUp(long position, int alignment) {
        return (position + alignment - 1) & -(long) alignment;
    }

    /** A tensor info as read, before its data offset is known to lie within the file. */
    private record TensorHeader(String name, List<Long> dims, GgmlType type, long offset, long byteSize) {
    }
}
