package dev.puna.runtime.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.bindings.Llama;
import dev.puna.bindings.LlamaLayouts;
import dev.puna.gguf.GgmlType;
import dev.puna.runtime.Model;
import dev.puna.runtime.ModelLoadException;
import dev.puna.runtime.ResourceClosedException;
import dev.puna.runtime.internal.ModelHandles;
import dev.puna.runtime.internal.NativeStats;
import dev.puna.runtime.vision.internal.VisionInternals;
import dev.puna.testkit.RandomProjector;
import dev.puna.testkit.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The projector on a generated pair: the scripted model and testkit's random {@code mlp} projector (16 embeddings
 * of width 64 per image). Test images are drawn here and written with javax.imageio (PNG, JPEG, GIF); the WebP
 * fixture {@code gradient-24x16.webp} (62 bytes) is the lossless encoding of {@link #gradient()}, made with
 * {@code cwebp -lossless -exact gradient-24x16.png -o gradient-24x16.webp} (libwebp 1.2.4) from a PNG of the same
 * pixels.
 */
class ProjectorTest {
    private static final Path DIR = Path.of("target", "test-models").toAbsolutePath();
    private static Model model;
    private static Projector projector;

    @BeforeAll
    static void load() throws IOException {
        model = Model.load(TestModels.scripted(DIR, GgmlType.F32));
        projector = Projector.load(model, TestModels.scriptedProjector(DIR), new ProjectorParams(true, 2, true));
    }

    @AfterAll
    static void close() {
        projector.close();
        model.close();
    }

    @Test
    void loadsNextToItsModel() {
        assertEquals(64, projector.embeddingLength());
        assertTrue(projector.marker().matches("<__puna_image_[0-9a-f]{16}__>"), projector.marker());
        assertEquals(model, projector.model());
    }

    @Test
    void tokenizesTextAndImagesIntoChunksWithTheImageHash() {
        Image image = png(pattern(40, 30, 1));
        String m = projector.marker();
        try (VisionPrompt prompt = projector.tokenize("Hello" + m + " world", List.of(image), true, true)) {
            List<PromptChunk> chunks = prompt.chunks();
            assertEquals(3, chunks.size(), chunks.toString());
            // mtmd tokenizes each text run on its own, with BOS only before the first.
            assertArrayEquals(model.tokenize("Hello", true, true), ((TextChunk) chunks.get(0)).tokens());
            ImageChunk chunk = assertInstanceOf(ImageChunk.class, chunks.get(1));
            assertArrayEquals(model.tokenize(" world", false, true), ((TextChunk) chunks.get(2)).tokens());
            assertEquals(16, chunk.tokenCount());
            assertEquals(16, chunk.positionCount());
            assertEquals(0, chunk.imageIndex());
            assertEquals(image.id(), chunk.id());
            assertEquals(List.of(chunk), prompt.images());
            int text = chunks.get(0).tokenCount() + chunks.get(2).tokenCount();
            assertEquals(text + 16, prompt.tokenCount());
            assertEquals(text + 16, prompt.positionCount());
        }
    }

    @Test
    void cacheTokensMatchPromptsUpToTheFirstDifferentImage() {
        String m = projector.marker();
        try (VisionPrompt a = projector.tokenize("Hello" + m + " world", List.of(png(pattern(40, 30, 1))), true, true);
             VisionPrompt same = projector.tokenize("Hello" + m + " world", List.of(png(pattern(40, 30, 1))), true,
                     true);
             VisionPrompt b = projector.tokenize("Hello" + m + " world", List.of(png(pattern(40, 30, 2))), true,
                     true)) {
            int[] tokens = a.cacheTokens();
            int hello = a.chunks().get(0).tokenCount();
            assertEquals(a.tokenCount(), tokens.length);
            assertArrayEquals(model.tokenize("Hello", true, true), Arrays.copyOf(tokens, hello));
            for (int i = hello; i < hello + 16; i++) {
                assertTrue(tokens[i] < 0, "stand-in " + i + " is negative: " + tokens[i]);
            }
            assertEquals(16, Arrays.stream(tokens, hello, hello + 16).distinct().count());
            assertArrayEquals(model.tokenize(" world", false, true),
                    Arrays.copyOfRange(tokens, hello + 16, tokens.length));
            assertArrayEquals(tokens, same.cacheTokens());
            assertEquals(hello, Arrays.mismatch(tokens, b.cacheTokens()), "the first image cell differs");

            assertEquals(a.images().get(0), a.imageStartingAt(hello));
            assertEquals(null, a.imageStartingAt(hello + 1));
            assertEquals(null, a.imageStartingAt(0));
            assertEquals(hello - 1, a.reusablePrefix(hello - 1));
            assertEquals(hello, a.reusablePrefix(hello));
            assertEquals(hello, a.reusablePrefix(hello + 7), "never part of an image");
            assertEquals(hello + 16, a.reusablePrefix(hello + 16));
            assertEquals(tokens.length, a.reusablePrefix(tokens.length + 5));
        }
    }

    @Test
    void everyImageIsSixteenTokensWhateverItsSize() {
        String m = projector.marker();
        try (VisionPrompt prompt = projector.tokenize(m + m + m, List.of(png(pattern(8, 8, 1)),
                png(pattern(300, 20, 2)), png(pattern(33, 200, 3))), false, true)) {
            assertEquals(List.of(16, 16, 16), prompt.images().stream().map(ImageChunk::tokenCount).toList());
            assertEquals(List.of(0, 1, 2), prompt.images().stream().map(ImageChunk::imageIndex).toList());
            assertEquals(48, prompt.tokenCount());
        }
    }

    @Test
    void encodingIsDeterministicAndDifferentImagesDiffer() {
        float[] first = embed(png(pattern(40, 30, 1)));
        float[] again = embed(png(pattern(40, 30, 1)));
        float[] other = embed(png(pattern(40, 30, 2)));
        assertEquals(16 * 64, first.length);
        assertArrayEquals(first, again);
        assertFalse(Arrays.equals(first, other));
        for (float f : first) {
            assertTrue(Float.isFinite(f));
        }
        // Not all zero or constant: the projector is a real function of the pixels.
        assertNotEquals(first[0], first[first.length - 1]);
    }

    @Test
    void decodesPngJpegGifAndWebp() throws IOException {
        BufferedImage picture = pattern(24, 16, 5);
        for (Image image : List.of(png(picture), encode(picture, "jpg"), encode(picture, "gif"), webpFixture())) {
            assertEquals(24, image.width(), image.toString());
            assertEquals(16, image.height(), image.toString());
            try (VisionPrompt prompt = projector.tokenize(projector.marker(), List.of(image), false, true)) {
                assertEquals(16, prompt.tokenCount(), image.toString());
                assertEquals(image.id(), prompt.images().get(0).id());
            }
        }
        assertEquals(List.of(ImageFormat.PNG, ImageFormat.JPEG, ImageFormat.GIF, ImageFormat.WEBP),
                List.of(png(picture).format(), encode(picture, "jpg").format(), encode(picture, "gif").format(),
                        webpFixture().format()));
    }

    @Test
    void webpDecodesToItsExactPixelsAndEncodesLikeThePngOfThem() throws IOException {
        Image webp = webpFixture();
        JavaImageCodec.Rgb rgb = JavaImageCodec.decodeRgb(webp.rawBytes(), ImageFormat.WEBP);
        BufferedImage gradient = gradient();
        assertEquals(24, rgb.width());
        assertEquals(16, rgb.height());
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 24; x++) {
                int o = (y * 24 + x) * 3;
                int p = gradient.getRGB(x, y);
                assertEquals((p >> 16) & 0xFF, rgb.pixels()[o] & 0xFF);
                assertEquals((p >> 8) & 0xFF, rgb.pixels()[o + 1] & 0xFF);
                assertEquals(p & 0xFF, rgb.pixels()[o + 2] & 0xFF);
            }
        }
        // The WebP path (decoded in Java) and the PNG path (decoded by stb_image) feed the projector the same pixels.
        assertArrayEquals(embed(png(gradient)), embed(webp));
    }

    @Test
    void badImageBytesAreInvalidImages() {
        assertEquals("images: not a PNG, JPEG, GIF or WebP image (the data starts with 3c 68 74 6d 6c 3e 68 69)",
                assertThrows(InvalidImageException.class, () -> Image.of("<html>hi</html>".getBytes())).getMessage());
        assertEquals("the image is empty (0 bytes)",
                assertThrows(InvalidImageException.class, () -> Image.of(new byte[0])).problem());
        byte[] png = png(pattern(40, 30, 1)).bytes();
        InvalidImageException truncated = assertThrows(InvalidImageException.class,
                () -> Image.of(Arrays.copyOf(png, 20)));
        assertTrue(truncated.problem().startsWith("corrupt or truncated PNG image"), truncated.getMessage());
        byte[] riff = "RIFF\0\0\0\0WEBPVP8 garbage".getBytes();
        assertTrue(assertThrows(InvalidImageException.class, () -> Image.of(riff)).problem()
                .startsWith("corrupt or truncated WEBP image"));
    }

    @Test
    void anImageWhoseHeaderIsFineButWhoseDataIsNotFailsAtTokenize() {
        byte[] png = png(pattern(40, 30, 1)).bytes();
        // Keep the signature and IHDR (33 bytes), scramble the compressed pixel data after it.
        for (int i = 45; i < png.length - 12; i++) {
            png[i] = (byte) (png[i] ^ 0x5A);
        }
        Image broken = Image.of(png);
        assertEquals(40, broken.width());
        long live = NativeStats.live();
        InvalidImageException e = assertThrows(InvalidImageException.class,
                () -> projector.tokenize("a" + projector.marker(), List.of(broken), true, true));
        assertTrue(e.problem().startsWith("image 0: corrupt or truncated PNG image (40x30 in its header"),
                e.getMessage());
        assertEquals(live, NativeStats.live(), "no chunks or bitmaps left behind");
    }

    @Test
    void refusesDecompressionBombsFromTheHeader() {
        byte[] png = png(pattern(4, 4, 1)).bytes();
        // IHDR width and height (big-endian at 16 and 20): 20000 x 20000.
        byte[] big = png.clone();
        for (int at : new int[] {16, 20}) {
            big[at] = 0;
            big[at + 1] = 0;
            big[at + 2] = (byte) 0x4E;
            big[at + 3] = 0x20;
        }
        InvalidImageException e = assertThrows(InvalidImageException.class, () -> Image.of(big));
        assertEquals("the PNG image is 20000x20000 pixels; at most 16384 pixels a side and 40000000 pixels are "
                + "accepted", e.problem());
        // A GIF whose first frame is small but whose logical screen (which stb_image allocates) is 60000 x 1000.
        byte[] gif = encode(pattern(4, 4, 1), "gif").bytes();
        gif[6] = (byte) 0x60;
        gif[7] = (byte) 0xEA;
        gif[8] = (byte) 0xE8;
        gif[9] = 0x03;
        assertEquals("the GIF image is 60000x1000 pixels; at most 16384 pixels a side and 40000000 pixels are "
                + "accepted", assertThrows(InvalidImageException.class, () -> Image.of(gif)).problem());
    }

    @Test
    void markersMustMatchTheImages() {
        Image image = png(pattern(8, 8, 1));
        assertEquals("the prompt has 0 image markers for 1 images", assertThrows(IllegalArgumentException.class,
                () -> projector.tokenize("no marker", List.of(image), true, true)).getMessage());
        // The default mtmd marker is plain text for a Puna projector: a user cannot open an image slot by typing it.
        try (VisionPrompt prompt = projector.tokenize("<__media__>", List.of(), true, true)) {
            assertEquals(1, prompt.chunks().size());
            assertInstanceOf(TextChunk.class, prompt.chunks().get(0));
        }
    }

    @Test
    void evaluatesAnImageIntoALlamaContextAndTheTextAfterItSeesIt() throws IOException {
        // The scripted model's attention is zero (its next token depends on the current one only), so this uses the
        // random model with live attention, which takes the same projector.
        try (Model looking = Model.load(TestModels.randomVisionModel(DIR));
             Projector eyes = Projector.load(looking, TestModels.scriptedProjector(DIR),
                     new ProjectorParams(false, 2, false))) {
            float[] first = logitsAfter(eyes, png(pattern(40, 30, 1)));
            float[] again = logitsAfter(eyes, png(pattern(40, 30, 1)));
            float[] other = logitsAfter(eyes, png(pattern(40, 30, 2)));
            assertEquals(looking.vocabSize(), first.length);
            assertArrayEquals(first, again);
            assertFalse(Arrays.equals(first, other));
        }
    }

    @Test
    void anAbortedImageLeavesTheSequenceAsItWas() {
        try (Arena arena = Arena.ofConfined();
             VisionPrompt prompt = projector.tokenize("Hello" + projector.marker(), List.of(png(pattern(8, 8, 1))),
                     true, true)) {
            MemorySegment ctx = context(arena, model);
            try {
                int[] before = ((TextChunk) prompt.chunks().get(0)).tokens();
                decode(arena, ctx, before, 0, false);
                MemorySegment flag = dev.puna.bindings.Callbacks.newAbortFlag(arena);
                Llama.llama_set_abort_callback(ctx, dev.puna.bindings.Callbacks.ABORT_ON_FLAG, flag);
                dev.puna.bindings.Callbacks.setAbortFlag(flag, true);
                assertEquals(VisionInternals.ABORTED,
                        VisionInternals.evaluate(projector, prompt.images().get(0), ctx, 0, before.length, 8));
                MemorySegment memory = Llama.llama_get_memory(ctx);
                assertEquals(before.length - 1, Llama.llama_memory_seq_pos_max(memory, 0), "only the text is cached");
                dev.puna.bindings.Callbacks.setAbortFlag(flag, false);
                assertEquals(before.length + 16,
                        VisionInternals.evaluate(projector, prompt.images().get(0), ctx, 0, before.length, 8));
                assertEquals(before.length + 15, Llama.llama_memory_seq_pos_max(memory, 0));
            } finally {
                Llama.llama_free(ctx);
            }
        }
    }

    @Test
    void projectorsAndPromptsCloseOnceAndRefuseUseAfterClose() throws IOException {
        long live = NativeStats.live();
        Model own = Model.load(TestModels.scripted(DIR, GgmlType.F32));
        Projector p = Projector.load(own, TestModels.scriptedProjector(DIR), new ProjectorParams(false, 1, false));
        VisionPrompt prompt = p.tokenize(p.marker(), List.of(png(pattern(8, 8, 1))), true, true);
        ImageChunk chunk = prompt.images().get(0);
        // The projector borrows the model: closing the model first frees nothing yet.
        own.close();
        assertEquals(16 * 64, p.encode(chunk).length);
        prompt.close();
        prompt.close();
        assertThrows(ResourceClosedException.class, () -> p.encode(chunk));
        p.close();
        p.close();
        assertTrue(p.isClosed());
        assertThrows(ResourceClosedException.class, () -> p.tokenize("x", List.of(), true, true));
        assertEquals(live, NativeStats.live(), "model, projector and chunks all freed");
    }

    @Test
    void closingWhileAnotherThreadEncodesFreesAfterThatEncode() throws Exception {
        long live = NativeStats.live();
        Projector p = Projector.load(model, TestModels.scriptedProjector(DIR), new ProjectorParams(false, 1, false));
        VisionPrompt prompt = p.tokenize(p.marker(), List.of(png(pattern(8, 8, 1))), true, true);
        ImageChunk chunk = prompt.images().get(0);
        float[] expected = p.encode(chunk);
        java.util.concurrent.CountDownLatch encoding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Throwable> ended = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger encodes = new java.util.concurrent.atomic.AtomicInteger();
        Thread user = new Thread(() -> {
            try {
                while (true) {
                    assertArrayEquals(expected, p.encode(chunk));
                    encodes.incrementAndGet();
                    encoding.countDown();
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        });
        user.start();
        encoding.await();
        p.close();
        prompt.close();
        user.join(10_000);
        assertFalse(user.isAlive());
        assertInstanceOf(ResourceClosedException.class, ended.get());
        assertTrue(encodes.get() >= 1);
        assertEquals(live, NativeStats.live(), "projector and chunks freed once, after the last encode");
    }

    @Test
    void aChunkOnlyEncodesWithItsOwnProjector() throws IOException {
        try (Projector second = Projector.load(model, TestModels.scriptedProjector(DIR),
                new ProjectorParams(false, 1, false));
             VisionPrompt prompt = second.tokenize(second.marker(), List.of(png(pattern(8, 8, 1))), true, true)) {
            assertThrows(IllegalArgumentException.class, () -> projector.encode(prompt.images().get(0)));
        }
    }

    @Test
    void refusesFilesThatAreNotItsProjector() throws IOException {
        Path textModel = TestModels.scripted(DIR, GgmlType.F32);
        ModelLoadException notClip = assertThrows(ModelLoadException.class, () -> Projector.load(model, textModel));
        assertTrue(notClip.getMessage().contains("not an image projector: general.architecture is 'llama'"),
                notClip.getMessage());
        Path wide = DIR.resolve("mmproj-128.gguf");
        RandomProjector.forTextModel(128).write(wide);
        ModelLoadException mismatch = assertThrows(ModelLoadException.class, () -> Projector.load(model, wide));
        assertTrue(mismatch.getMessage().contains("mismatch between text model (n_embd = 64) and mmproj (n_embd = 128)"),
                mismatch.getMessage());
        assertThrows(ModelLoadException.class, () -> Projector.load(model, DIR.resolve("missing.gguf")));
        try (Model vocab = Model.load(textModel, dev.puna.runtime.ModelParams.builder().vocabOnly(true).build())) {
            assertThrows(IllegalStateException.class, () -> Projector.load(vocab, TestModels.scriptedProjector(DIR)));
        }
    }

    private static float[] embed(Image image) {
        try (VisionPrompt prompt = projector.tokenize(projector.marker(), List.of(image), false, true)) {
            return projector.encode(prompt.images().get(0));
        }
    }

    /**
     * The logits of the last token after decoding "Hello", the image, then " world" into a fresh context: text the
     * engine's way (its own batch), the image through {@link VisionInternals#evaluate}.
     */
    private static float[] logitsAfter(Projector eyes, Image image) {
        try (Arena arena = Arena.ofConfined();
             VisionPrompt prompt = eyes.tokenize("Hello" + eyes.marker() + " world", List.of(image), true, true)) {
            MemorySegment ctx = context(arena, eyes.model());
            try {
                int[] before = ((TextChunk) prompt.chunks().get(0)).tokens();
                int[] after = ((TextChunk) prompt.chunks().get(2)).tokens();
                decode(arena, ctx, before, 0, false);
                // n_batch 8: the 16 embeddings go in two llama_decode calls.
                int next = VisionInternals.evaluate(eyes, prompt.images().get(0), ctx, 0, before.length, 8);
                assertEquals(before.length + 16, next);
                decode(arena, ctx, after, next, true);
                MemorySegment logits = Llama.llama_get_logits_ith(ctx, -1);
                assertNotEquals(MemorySegment.NULL, logits);
                return logits.reinterpret((long) eyes.model().vocabSize() * Float.BYTES).toArray(ValueLayout.JAVA_FLOAT);
            } finally {
                Llama.llama_free(ctx);
            }
        }
    }

    /** A small context on {@code owner}; the caller frees it. */
    private static MemorySegment context(Arena arena, Model owner) {
        MemorySegment cp = Llama.llama_context_default_params(arena);
        LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_ctx").set(cp, 128);
        LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_batch").set(cp, 64);
        LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_ubatch").set(cp, 64);
        LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_threads").set(cp, 2);
        LlamaLayouts.field(LlamaLayouts.LLAMA_CONTEXT_PARAMS, "n_threads_batch").set(cp, 2);
        MemorySegment ctx = Llama.llama_init_from_model(ModelHandles.get().handle(owner), cp);
        assertNotEquals(MemorySegment.NULL, ctx);
        return ctx;
    }

    private static void decode(Arena arena, MemorySegment ctx, int[] tokens, int position, boolean logitsLast) {
        MemorySegment batch = Llama.llama_batch_init(arena, tokens.length, 0, 1);
        try {
            fill(batch, tokens, position, logitsLast);
            assertEquals(0, Llama.llama_decode(ctx, batch));
        } finally {
            Llama.llama_batch_free(batch);
        }
    }

    private static void fill(MemorySegment batch, int[] tokens, int position, boolean logitsLast) {
        LlamaLayouts.field(LlamaLayouts.LLAMA_BATCH, "n_tokens").set(batch, tokens.length);
        MemorySegment token = ((MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_BATCH, "token").get(batch))
                .reinterpret(tokens.length * 4L);
        MemorySegment pos = ((MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_BATCH, "pos").get(batch))
                .reinterpret(tokens.length * 4L);
        MemorySegment nSeq = ((MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_BATCH, "n_seq_id").get(batch))
                .reinterpret(tokens.length * 4L);
        MemorySegment seqIds = ((MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_BATCH, "seq_id").get(batch))
                .reinterpret(tokens.length * 8L);
        MemorySegment logits = ((MemorySegment) LlamaLayouts.field(LlamaLayouts.LLAMA_BATCH, "logits").get(batch))
                .reinterpret(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            token.setAtIndex(ValueLayout.JAVA_INT, i, tokens[i]);
            pos.setAtIndex(ValueLayout.JAVA_INT, i, position + i);
            nSeq.setAtIndex(ValueLayout.JAVA_INT, i, 1);
            seqIds.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(4).set(ValueLayout.JAVA_INT, 0, 0);
            logits.set(ValueLayout.JAVA_BYTE, i, (byte) (logitsLast && i == tokens.length - 1 ? 1 : 0));
        }
    }

    /** A picture whose pixels depend on {@code seed}: smooth bands plus a seeded checker, so JPEG keeps them apart. */
    static BufferedImage pattern(int width, int height, int seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = (x * 255 / Math.max(1, width - 1) + seed * 70) & 0xFF;
                int g = (y * 255 / Math.max(1, height - 1) + seed * 30) & 0xFF;
                int b = (((x / 4 + y / 4 + seed) & 1) == 0) ? 40 : 220;
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** The pixels of the WebP fixture: (x*10, y*15, (x+y)*7), each mod 256, 24 x 16. */
    static BufferedImage gradient() {
        BufferedImage image = new BufferedImage(24, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 24; x++) {
                image.setRGB(x, y, ((x * 10 % 256) << 16) | ((y * 15 % 256) << 8) | ((x + y) * 7 % 256));
            }
        }
        return image;
    }

    static Image png(BufferedImage picture) {
        return encode(picture, "png");
    }

    static Image encode(BufferedImage picture, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(picture, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Image.of(out.toByteArray());
    }

    static Image webpFixture() throws IOException {
        try (InputStream in = ProjectorTest.class.getResourceAsStream("gradient-24x16.webp")) {
            return Image.of(in.readAllBytes());
        }
    }
}
