package dev.puna.runtime.vision;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a message's images go in its text, by Ollama's rule ({@code server/prompt.go}, for a prompt on
 * {@code /api/generate} and each message on {@code /api/chat}): each image, in order, takes the next {@code [img]}
 * placeholder of the text, and images left over go before the text. Ollama writes each as an {@code [img-N]} tag
 * that its runner swaps for the image; here each becomes a {@link Projector#marker()}, which the projector swaps for
 * the image in text order, so {@link Placed#order()} says which image each marker is.
 */
public final class ImagePlacement {
    /** The placeholder a client may write where an image should go. */
    public static final String PLACEHOLDER = "[img]";

    private ImagePlacement() {
    }

    /**
     * The text with markers in place, and the images in the order their markers appear.
     *
     * @param text the message text with {@code [img]} marker positions
     * @param order for the i-th marker in {@code text}, the index of the image it stands for (0-based, in the
     *     order the client sent the images)
     */
    public record Placed(String text, List<Integer> order) {
        public Placed {
            order = List.copyOf(order);
        }

        /** {@code images} reordered to the markers' order, for {@link Projector#tokenize}. */
        public <T> List<T> arrange(List<T> images) {
            if (images.size() != order.size()) {
                throw new IllegalArgumentException(order.size() + " markers for " + images.size() + " images");
            }
            return order.stream().map(images::get).toList();
        }
    }

    /**
     * Places {@code imageCount} images in {@code content}.
     *
     * @param marker the projector's {@link Projector#marker()}
     */
    public static Placed place(String content, int imageCount, String marker) {
        Objects.requireNonNull(marker, "marker");
        String text = content == null ? "" : content;
        if (imageCount < 0) {
            throw new IllegalArgumentException("negative image count " + imageCount);
        }
        // Ollama's loop: image i replaces the first remaining [img], or else its tag is appended to the prefix.
        StringBuilder prefix = new StringBuilder();
        List<Integer> prefixed = new ArrayList<>();
        List<Integer> replaced = new ArrayList<>();
        StringBuilder body = new StringBuilder(text);
        int searchFrom = 0;
        for (int image = 0; image < imageCount; image++) {
            int at = body.indexOf(PLACEHOLDER, searchFrom);
            if (at < 0) {
                prefix.append(marker);
                prefixed.add(image);
            } else {
                body.replace(at, at + PLACEHOLDER.length(), marker);
                replaced.add(image);
                searchFrom = at + marker.length();
            }
        }
        // The prefix comes first; placeholders are filled left to right (Go's strings.Replace with n = 1 takes the
        // first one left), so the replaced images are already in text order.
        List<Integer> order = new ArrayList<>(prefixed);
        order.addAll(replaced);
        return new Placed(prefix + body.toString(), order);
    }
}
