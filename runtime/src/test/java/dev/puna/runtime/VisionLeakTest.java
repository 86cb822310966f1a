package dev.puna.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.internal.NativeStats;
import dev.puna.runtime.vision.Image;
import dev.puna.runtime.vision.Projector;
import dev.puna.runtime.vision.ProjectorParams;
import dev.puna.runtime.vision.VisionPrompt;
import dev.puna.testkit.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Projector load / tokenize / encode / close cycles free every mtmd object: the live counts return to their
 * baseline after each cycle, and native memory outside the JVM ({@link NativeMemory}, as in {@link LeakTest})
 * stops growing after a warm-up. Each cycle tokenizes several prompts, so a leaked {@code mtmd_input_chunks}
 * (about 12 KB of preprocessed image each) adds up to more than the limit as surely as a leaked projector does.
 */
class VisionLeakTest {
    private static final int CYCLES = 300;
    private static final int WARMUP = 60;
    private static final int PROMPTS_PER_CYCLE = 8;
    private static final long MAX_MALLOC_GROWTH = 8L << 20;

    @Test
    void projectorCyclesDoNotLeak() throws Throwable {
        Path projectorFile = TestModels.scriptedProjector(Models.DIR);
        Image image = png(16, 12);
        try (Model model = Model.load(Models.scripted())) {
            long baseline = NativeStats.live();
            NativeMemory.Reading warm = null;
            for (int i = 0; i < CYCLES; i++) {
                try (Projector projector = Projector.load(model, projectorFile, new ProjectorParams(false, 1, false))) {
                    for (int p = 0; p < PROMPTS_PER_CYCLE; p++) {
                        try (VisionPrompt prompt = projector.tokenize("Hello" + projector.marker(), List.of(image),
                                true, true)) {
                            if (p == 0) {
                                assertEquals(16 * 64, projector.encode(prompt.images().get(0)).length);
                            }
                        }
                    }
                }
                assertEquals(baseline, NativeStats.live(), "native objects alive after cycle " + i);
                if (i == WARMUP) {
                    warm = NativeMemory.read();
                }
            }
            long growth = NativeMemory.read().foreignMalloc() - warm.foreignMalloc();
            assertTrue(growth < MAX_MALLOC_GROWTH, "native malloc outside the JVM grew by " + growth + " bytes over "
                    + (CYCLES - 1 - WARMUP) + " cycles");
        }
    }

    private static Image png(int width, int height) throws Exception {
        BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                picture.setRGB(x, y, (x * 16) << 16 | (y * 20) << 8 | 0x40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(picture, "png", out);
        return Image.of(out.toByteArray());
    }
}
