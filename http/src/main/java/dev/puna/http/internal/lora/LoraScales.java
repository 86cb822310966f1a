package dev.puna.http.internal.lora;

import dev.puna.http.internal.ApiException;
import dev.puna.runtime.LoraAdapter;
import dev.puna.runtime.LoraScale;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The LoRA scales of one loaded model, as llama-server keeps them: every adapter of the Modelfile ({@code ADAPTER})
 * starts at scale 1; {@code POST /lora-adapters} changes those global scales (adapters it does not list go to 0);
 * a request's own {@code lora} list replaces them for that request (again, adapters it does not list run at 0).
 * Adapters are numbered by their place in the Modelfile, from 0. Thread-safe.
 */
public final class LoraScales {
    private final List<LoraAdapter> adapters;
    private volatile float[] global;

    /** @param adapters the loaded model's adapters, in Modelfile order */
    public LoraScales(List<LoraAdapter> adapters) {
        this.adapters = List.copyOf(adapters);
        float[] ones = new float[adapters.size()];
        Arrays.fill(ones, 1f);
        this.global = ones;
    }

    /** The adapters, in Modelfile order (an adapter's id is its index). */
    public List<LoraAdapter> adapters() {
        return adapters;
    }

    /** The global scale of each adapter, by id. */
    public float[] global() {
        return global.clone();
    }

    /**
     * Sets the global scales: {@code scales} maps ids to scales, unlisted adapters get 0.
     *
     * @throws ApiException 400 for an id the model does not have
     */
    public void setGlobal(Map<Integer, Float> scales) {
        global = resolveScales(scales);
    }

    /**
     * The adapters a request runs with: the global scales when {@code requested} is null, else the request's.
     *
     * @throws ApiException 400 for an id the model does not have
     */
    public List<LoraScale> forRequest(Map<Integer, Float> requested) {
        float[] scales = requested == null ? global : resolveScales(requested);
        List<LoraScale> out = new ArrayList<>(adapters.size());
        for (int i = 0; i < adapters.size(); i++) {
            out.add(new LoraScale(adapters.get(i), scales[i]));
        }
        return out;
    }

    private float[] resolveScales(Map<Integer, Float> scales) {
        float[] out = new float[adapters.size()];
        for (Map.Entry<Integer, Float> e : scales.entrySet()) {
            int id = e.getKey();
            if (id < 0 || id >= adapters.size()) {
                throw ApiException.badParameter("lora", "invalid LoRA adapter id " + id + ": "
                        + (adapters.isEmpty() ? "the model has no LoRA adapters"
                        : "the model's adapters are 0.." + (adapters.size() - 1)));
            }
            out[id] = e.getValue();
        }
        return out;
    }
}
