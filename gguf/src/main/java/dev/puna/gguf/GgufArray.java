package dev.puna.gguf;

import java.util.List;
import java.util.Objects;

/**
 * A typed metadata array for {@link GgufWriter#putArray}. GGUF arrays are homogeneous, and a Java list does not
 * say which of the thirteen value types its elements should be stored as, so the element type is explicit.
 *
 * <p>Elements are {@link Number}s within the range of an integer element type (UINT64 takes any {@code long}, whose
 * bits are stored), {@code Number}s for FLOAT32 and FLOAT64, {@link Boolean}s, {@link String}s, or (for arrays of
 * arrays) {@code GgufArray}s.
 *
 * @param elementType the type every element is stored as
 * @param elements the elements, copied into an unmodifiable list
 */
public record GgufArray(GgufValueType elementType, List<?> elements) {

    /**
     * Validates every element against {@code elementType}.
     *
     * @throws IllegalArgumentException if an element does not fit the element type
     */
    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        elements = List.copyOf(elements);
        for (Object element : elements) {
            MetadataValues.check(elementType, element);
        }
    }

    /** An array of {@code elementType} holding {@code elements}. */
    public static GgufArray of(GgufValueType elementType, Object... elements) {
        return new GgufArray(elementType, List.of(elements));
    }
}
