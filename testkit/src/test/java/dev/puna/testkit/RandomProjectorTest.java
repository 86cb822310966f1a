package dev.puna.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.gguf.GgufFile;
import dev.puna.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The projector's file: what clip.cpp reads (its loading by libmtmd is tested in the runtime's vision tests). */
class RandomProjectorTest {
    @TempDir
    Path dir;

    @Test
    void isAnMlpClipProjectorForTheScriptedModel() throws IOException {
        GgufFile file = GgufFile.read(TestModels.scriptedProjector(dir));

        assertEquals("clip", file.architecture().orElseThrow());
        assertEquals("mlp", file.getString("clip.projector_type").orElseThrow());
        assertEquals(true, file.getBoolean("clip.has_vision_encoder").orElseThrow());
        assertEquals(ScriptedModel.EMBEDDING_LENGTH, file.getLong("clip.vision.projection_dim").orElseThrow());
        assertEquals(0, file.getLong("clip.vision.block_count").orElseThrow());
        assertEquals(32, file.getLong("clip.vision.image_size").orElseThrow());
        assertEquals(8, file.getLong("clip.vision.patch_size").orElseThrow());
        assertEquals(List.of("v.patch_embd.weight", "v.position_embd.weight", "mm.0.weight", "mm.0.bias",
                "mm.2.weight", "mm.2.bias"), file.tensors().stream().map(GgufTensorInfo::name).toList());
        assertEquals(List.of(8L, 8L, 3L, 32L), file.tensor("v.patch_embd.weight").orElseThrow().dims());
        assertEquals(List.of(32L, 16L), file.tensor("v.position_embd.weight").orElseThrow().dims());
        // clip.cpp reads the output width (which must equal the text model's n_embd) from mm.2.weight's ne[1].
        assertEquals(List.of(64L, 64L), file.tensor("mm.2.weight").orElseThrow().dims());
        assertTrue(file.tensors().stream().allMatch(t -> t.type() == GgmlType.F32));
        assertEquals(16, RandomProjector.forScriptedModel().imageTokens());
        assertTrue(Files.size(file.path()) < 64 * 1024, "a tiny file: " + Files.size(file.path()));
    }

    @Test
    void writesTheSameBytesEveryTimeAndSeedsMatter() throws IOException {
        RandomProjector projector = RandomProjector.forTextModel(128);
        projector.write(dir.resolve("a.gguf"));
        projector.write(dir.resolve("b.gguf"));
        new RandomProjector(128, 32, 32, 8, 99).write(dir.resolve("c.gguf"));
        byte[] a = Files.readAllBytes(dir.resolve("a.gguf"));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b.gguf")));
        assertEquals(a.length, Files.size(dir.resolve("c.gguf")));
        assertTrue(!java.util.Arrays.equals(a, Files.readAllBytes(dir.resolve("c.gguf"))));
    }

    @Test
    void rejectsAnImageThatIsNotAWholeNumberOfPatches() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomProjector(64, 32, 30, 8, 1));
        assertTrue(e.getMessage().contains("image 30, patch 8"), e.getMessage());
    }
}
