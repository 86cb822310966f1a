package dev.puna.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.gguf.GgmlType;
import dev.puna.http.CatalogModel;
import dev.puna.http.ModelDetails;
import dev.puna.http.ServerConfig;
import dev.puna.runtime.KvCacheType;
import dev.puna.runtime.offload.ComputeDevice;
import dev.puna.runtime.offload.DeviceType;
import dev.puna.runtime.offload.ModelFootprint;
import dev.puna.runtime.offload.OffloadPlan;
import dev.puna.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the loader plans and estimates for a generated model on fake devices: no GPU, a 24 GiB GPU, two GPUs. */
class EngineLoaderOffloadTest {
    private static final long MIB = 1L << 20;
    private static final ComputeDevice CPU = new ComputeDevice("CPU", "test CPU", DeviceType.CPU, 8_000 * MIB,
            16_000 * MIB);
    private static final ComputeDevice GPU0 = new ComputeDevice("CUDA0", "NVIDIA GeForce RTX 4090", DeviceType.GPU,
            24_024 * MIB, 24_564 * MIB);
    private static final ComputeDevice GPU1 = new ComputeDevice("CUDA1", "NVIDIA GeForce RTX 3090", DeviceType.GPU,
            12_000 * MIB, 24_576 * MIB);
    private static final LoadOptions AUTO = new LoadOptions(256, 512, 0, -1, -1, true, false);

    @TempDir
    Path dir;

    private CatalogModel model() throws Exception {
        Path file = TestModels.scripted(dir, GgmlType.F32);
        return CatalogModel.ofFile("tiny", file, "", 10, Instant.EPOCH,
                new ModelDetails("", "gguf", "llama", List.of("llama"), "1M", "F32"));
    }

    /** The estimate without GPUs: the file plus {@code numCtx} cells of KV cache per layer for every slot. */
    private static long hostOnly(CatalogModel m, ServerConfig config, int numCtx) throws Exception {
        ModelFootprint f = ModelFootprint.read(m.path());
        long kv = 0;
        for (int il = 0; il < f.layerCount(); il++) {
            kv += (long) numCtx * config.numParallel() * f.kvBytesPerCell(il, config.kvCacheType());
        }
        return GgufFacts.read(m.path()).fileSize() + kv;
    }

    @Test
    void withoutAGpuNothingChanges() throws Exception {
        ServerConfig config = ServerConfig.builder().build();
        CatalogModel m = model();
        EngineLoader loader = new EngineLoader(config, null, null, () -> List.of(CPU));
        OffloadPlan plan = loader.plan(m, AUTO);
        assertEquals(0, plan.gpuLayers());
        assertEquals(new ModelScheduler.Estimate(hostOnly(m, config, 256), 0), loader.estimateWithVram(m, AUTO));
        assertEquals(hostOnly(m, config, 256), loader.estimate(m, AUTO));
        assertEquals(0, loader.vramBudget());
    }

    @Test
    void onA24GibGpuTheWholeModelIsPlannedThereAndLeavesHostMemory() throws Exception {
        ServerConfig config = ServerConfig.builder().gpuOverheadBytes(512 * MIB).build();
        CatalogModel m = model();
        AtomicInteger reads = new AtomicInteger();
        EngineLoader loader = new EngineLoader(config, null, null, () -> {
            reads.incrementAndGet();
            return List.of(CPU, GPU0);
        });
        OffloadPlan plan = loader.plan(m, AUTO);
        ModelFootprint f = ModelFootprint.read(m.path());
        assertEquals(f.layerCount() + 1, plan.gpuLayers());
        long offloadedWeights = f.weightBytes() - f.tokenEmbeddingBytes();
        long kv = 0;
        for (int il = 0; il < f.layerCount(); il++) {
            kv += 256L * config.numParallel() * f.kvBytesPerCell(il, KvCacheType.F16);
        }
        ModelScheduler.Estimate e = loader.estimateWithVram(m, AUTO);
        assertEquals(hostOnly(m, config, 256) - offloadedWeights - kv, e.hostBytes());
        assertEquals(plan.gpuBytes(), e.vramBytes());
        assertTrue(e.vramBytes() > offloadedWeights + kv, "the compute buffer estimate is on the GPU too");
        assertEquals(24_024 * MIB - 512 * MIB, loader.vramBudget());
        assertEquals(1, reads.get(), "devices are read once and every plan uses that reading");

        // num_gpu 0 keeps it on the CPU whatever the GPU has room for
        LoadOptions cpu = new LoadOptions(256, 512, 0, 0, -1, true, false);
        assertEquals(new ModelScheduler.Estimate(hostOnly(m, config, 256), 0), loader.estimateWithVram(m, cpu));
    }

    /**
     * A model with sliding-window layers (a generated Gemma 3: layer 0 slides over 32 positions, layer 1 attends over
     * everything) is estimated with the window-sized cache its contexts get, or the full-size one with
     * {@code PUNA_SWA_FULL}.
     */
    @Test
    void slidingWindowLayersAreEstimatedWindowSized() throws Exception {
        Path file = dir.resolve("swa.gguf");
        dev.puna.testkit.SlidingWindowModel.small().write(file);
        CatalogModel m = CatalogModel.ofFile("swa", file, "", 10, Instant.EPOCH,
                new ModelDetails("", "gguf", "gemma3", List.of("gemma3"), "1M", "F32"));
        LoadOptions o = new LoadOptions(4096, 512, 0, -1, -1, true, false);
        long fileSize = GgufFacts.read(file).fileSize();
        ModelFootprint f = ModelFootprint.read(file);
        long cell = f.kvBytesPerCell(0, KvCacheType.F16); // 2 KV heads x 32 x (K + V) x 2 bytes = 256
        assertEquals(256, cell);
        ServerConfig windowed = ServerConfig.builder().numParallel(2).build();
        // layer 0: 32 + 512 = 544 cells, rounded up to 768; layer 1: 4096; for each of 2 slots
        assertEquals(fileSize + 2 * (768 + 4096) * cell,
                new EngineLoader(windowed, null, null, () -> List.of(CPU)).estimate(m, o));
        ServerConfig full = ServerConfig.builder().numParallel(2).swaFull(true).build();
        assertEquals(fileSize + 2 * (4096 + 4096) * cell,
                new EngineLoader(full, null, null, () -> List.of(CPU)).estimate(m, o));
    }

    @Test
    void twoGpusGetTheServersTensorSplit() throws Exception {
        CatalogModel m = model();
        ServerConfig split = ServerConfig.builder().tensorSplit(List.of(1f, 3f)).build();
        OffloadPlan p = new EngineLoader(split, null, null, () -> List.of(CPU, GPU0, GPU1)).plan(m, AUTO);
        assertEquals(List.of(1f, 3f), p.tensorSplit());
        ServerConfig byFree = ServerConfig.builder().build();
        OffloadPlan q = new EngineLoader(byFree, null, null, () -> List.of(CPU, GPU0, GPU1)).plan(m, AUTO);
        assertEquals(List.of(24_024f * MIB, 12_000f * MIB), q.tensorSplit());
        // main_gpu 1: only CUDA1, nothing to split
        OffloadPlan only = new EngineLoader(byFree, null, null, () -> List.of(CPU, GPU0, GPU1))
                .plan(m, new LoadOptions(256, 512, 0, -1, 1, true, false));
        assertEquals(List.of("CUDA1"), only.gpus().stream().map(OffloadPlan.DeviceUse::device).toList());
        assertEquals(List.of(), only.tensorSplit());
    }

    @Test
    void aModelLoadedWithThePlanIsReportedWithItsVram() throws Exception {
        // The load itself runs on this CPU-only build: llama.cpp, which has no GPU device here, ignores the
        // n_gpu_layers the plan asks for; what /api/ps reports comes from the plan the scheduler was given.
        ServerConfig config = ServerConfig.builder().numParallel(1).build();
        CatalogModel m = model();
        EngineLoader loader = new EngineLoader(config, null, null, () -> List.of(CPU, GPU0));
        ExecutorService executor = Executors.newCachedThreadPool();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try (ModelScheduler s = new ModelScheduler(loader, loader, 3, Long.MAX_VALUE, executor, timers)) {
            ModelScheduler.Lease lease = s.acquire(m, AUTO, Duration.ofMinutes(5)).get(60, TimeUnit.SECONDS);
            ModelScheduler.Estimate e = loader.estimateWithVram(m, AUTO);
            ModelScheduler.Running r = s.running().getFirst();
            assertEquals(loader.plan(m, AUTO).gpuBytes(), r.vramBytes());
            assertEquals(e.hostBytes() + e.vramBytes(), r.sizeBytes());
            assertEquals(256, r.contextLength());
            lease.release();
        } finally {
            executor.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Test
    void aMoeModelThatDoesNotFitWholeKeepsItsLayersOnTheGpuAndTheFewestLayersExpertsInHostMemory() throws Exception {
        CatalogModel m = CatalogModel.ofFile("moe", TestModels.scriptedMoe(dir), "", 10, Instant.EPOCH,
                new ModelDetails("", "gguf", "llama", List.of("llama"), "1M", "Q8_0"));
        ServerConfig config = ServerConfig.builder().numParallel(1).build();
        OffloadPlan whole = new EngineLoader(config, null, null, () -> List.of(CPU, GPU0)).plan(m, AUTO);
        assertEquals(3, whole.gpuLayers());
        assertEquals(0, whole.cpuMoeLayers());
        // A GPU one byte short of the whole model: one layer's experts (3 x 34816 bytes, ModelFootprintTest) go.
        ComputeDevice tight = new ComputeDevice("CUDA0", "test GPU", DeviceType.GPU, whole.gpuBytes() - 1,
                24_564 * MIB);
        EngineLoader loader = new EngineLoader(config, null, null, () -> List.of(CPU, tight));
        OffloadPlan plan = loader.plan(m, AUTO);
        assertEquals(3, plan.gpuLayers());
        assertEquals(1, plan.cpuMoeLayers());
        assertEquals(whole.gpuBytes() - 3 * 34_816, plan.gpuBytes());
        assertEquals(1, EngineLoader.modelParams(AUTO, plan, List.of()).cpuMoeLayers());
        assertEquals(3, EngineLoader.modelParams(AUTO, plan, List.of()).gpuLayers());

        // n_cpu_moe given: taken as is (2, both layers), and 0 gives up a whole layer instead
        LoadOptions two = new LoadOptions(256, 512, 0, -1, -1, true, false, LoadOptions.Draft.DEFAULT, null, 2);
        assertEquals(2, loader.plan(m, two).cpuMoeLayers());
        assertEquals(2, EngineLoader.modelParams(two, loader.plan(m, two), List.of()).cpuMoeLayers());
        LoadOptions none = new LoadOptions(256, 512, 0, -1, -1, true, false, LoadOptions.Draft.DEFAULT, null, 0);
        assertEquals(2, loader.plan(m, none).gpuLayers());
        assertEquals(0, EngineLoader.modelParams(none, loader.plan(m, none), List.of()).cpuMoeLayers());

        // and the model loads with those overrides through the scheduler, reported with the plan's VRAM
        ExecutorService executor = Executors.newCachedThreadPool();
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        try (ModelScheduler s = new ModelScheduler(loader, loader, 3, Long.MAX_VALUE, executor, timers)) {
            ModelScheduler.Lease lease = s.acquire(m, AUTO, Duration.ofMinutes(5)).get(60, TimeUnit.SECONDS);
            assertEquals(plan.gpuBytes(), s.running().getFirst().vramBytes());
            lease.release();
        } finally {
            executor.shutdownNow();
            timers.shutdownNow();
        }
    }

    @Test
    void aDraftModelIsPlannedOnWhatTheModelLeavesOfTheGpu() throws Exception {
        ServerConfig config = ServerConfig.builder().build();
        CatalogModel m = model();
        CatalogModel draftModel = CatalogModel.ofFile("draft", m.path(), "", 10, Instant.EPOCH, m.details());
        dev.puna.http.ModelCatalog catalog = org.mockito.Mockito.mock(dev.puna.http.ModelCatalog.class);
        org.mockito.Mockito.when(catalog.find("draft")).thenReturn(java.util.Optional.of(draftModel));
        LoadOptions withDraft = new LoadOptions(256, 512, 0, -1, -1, true, false,
                new LoadOptions.Draft("draft", 3, 0, 0f));
        OffloadPlan alone = new EngineLoader(config, null, null, () -> List.of(CPU, GPU0)).plan(m, withDraft);

        // room for both: the draft (the same file) is planned on the GPU too, after the model
        EngineLoader roomy = new EngineLoader(config, null, catalog, () -> List.of(CPU, GPU0));
        ModelScheduler.Estimate both = roomy.estimateWithVram(m, withDraft);
        assertEquals(2 * alone.gpuBytes(), both.vramBytes());
        List<ComputeDevice> left = EngineLoader.remaining(List.of(CPU, GPU0), alone);
        assertEquals(GPU0.freeBytes() - alone.gpuBytes(), left.get(1).freeBytes());
        assertEquals(CPU, left.get(0));

        // a GPU with exactly the model's room: the draft stays on the CPU, its weights counted in host memory
        ComputeDevice tight = new ComputeDevice("CUDA0", "small", DeviceType.GPU, alone.gpuBytes(), 24_564 * MIB);
        EngineLoader full = new EngineLoader(config, null, catalog, () -> List.of(CPU, tight));
        ModelScheduler.Estimate e = full.estimateWithVram(m, withDraft);
        assertEquals(alone.gpuBytes(), e.vramBytes());
        long draftWeights = ModelFootprint.read(m.path()).weightBytes() - ModelFootprint.read(m.path())
                .tokenEmbeddingBytes();
        assertEquals(both.hostBytes() + draftWeights, e.hostBytes());
    }
}
