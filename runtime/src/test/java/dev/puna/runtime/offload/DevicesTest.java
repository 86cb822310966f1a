package dev.puna.runtime.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.puna.runtime.LlamaCpp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device registry as the loaded llama.cpp build reports it. */
class DevicesTest {

    @Test
    void theCpuIsListedWithHostMemoryAndGpusOnlyOnAGpuBuild() {
        List<ComputeDevice> devices = Devices.list();
        List<ComputeDevice> cpus = devices.stream().filter(d -> d.type() == DeviceType.CPU).toList();
        assertEquals(1, cpus.size(), devices.toString());
        ComputeDevice cpu = cpus.getFirst();
        assertEquals("CPU", cpu.name());
        // ggml's CPU device reports host memory: something free, never more than the total
        assertTrue(cpu.totalBytes() > 0 && cpu.freeBytes() > 0 && cpu.freeBytes() <= cpu.totalBytes(), cpu.toString());
        boolean gpus = devices.stream().anyMatch(ComputeDevice::offloadable);
        assertEquals(LlamaCpp.supportsGpuOffload(), gpus, devices.toString());
        // each call asks again and lists the same devices in the same order
        assertEquals(devices.stream().map(ComputeDevice::name).toList(),
                Devices.list().stream().map(ComputeDevice::name).toList());
    }

    @Test
    void onThisBuildThePlannerOffloadsNothingWithoutAGpu() {
        List<ComputeDevice> devices = Devices.list();
        if (devices.stream().noneMatch(ComputeDevice::offloadable)) {
            ModelFootprint tiny = new ModelFootprint("llama", List.of(1000L), 10, 10, false, 64, 128, 4, List.of(2),
                    16, 16, 8);
            assertEquals(0, OffloadPlanner.plan(tiny, OffloadSettings.builder().build(), devices).gpuLayers());
        } else {
            assertTrue(OffloadPlanner.plan(new ModelFootprint("llama", List.of(1000L), 10, 10, false, 64, 128, 4,
                    List.of(2), 16, 16, 8), OffloadSettings.builder().numCtx(16).build(), devices).gpuLayers() > 0);
        }
    }
}
