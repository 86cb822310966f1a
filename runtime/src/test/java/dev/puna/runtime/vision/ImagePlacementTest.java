package dev.puna.runtime.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Ollama's placement of a message's images, with "<M>" as the marker. */
class ImagePlacementTest {
    private static final String M = "<M>";

    @Test
    void imagesGoBeforeTheTextWithoutPlaceholders() {
        ImagePlacement.Placed p = ImagePlacement.place("What is this?", 2, M);
        assertEquals("<M><M>What is this?", p.text());
        assertEquals(List.of(0, 1), p.order());
        assertEquals(List.of("a", "b"), p.arrange(List.of("a", "b")));
    }

    @Test
    void placeholdersTakeImagesInOrderAndTheRestArePrefixed() {
        ImagePlacement.Placed p = ImagePlacement.place("left [img] right [img] end", 3, M);
        // Ollama: image 0 and 1 fill the placeholders, image 2 has none left and goes before the text.
        assertEquals("<M>left <M> right <M> end", p.text());
        assertEquals(List.of(2, 0, 1), p.order());
        assertEquals(List.of("c", "a", "b"), p.arrange(List.of("a", "b", "c")));
    }

    @Test
    void unusedPlaceholdersStayTextAndNoImagesChangeNothing() {
        assertEquals(new ImagePlacement.Placed("a <M> b [img]", List.of(0)), ImagePlacement.place("a [img] b [img]", 1, M));
        assertEquals(new ImagePlacement.Placed("plain [img]", List.of()), ImagePlacement.place("plain [img]", 0, M));
        assertEquals(new ImagePlacement.Placed("<M>", List.of(0)), ImagePlacement.place(null, 1, M));
    }

    @Test
    void arrangeNeedsOneImagePerMarker() {
        assertThrows(IllegalArgumentException.class, () -> ImagePlacement.place("x", 2, M).arrange(List.of("a")));
        assertThrows(IllegalArgumentException.class, () -> ImagePlacement.place("x", -1, M));
    }
}
