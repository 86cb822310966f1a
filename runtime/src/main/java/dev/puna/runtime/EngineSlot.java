package dev.puna.runtime;

/**
 * One sequence of an {@link Engine}'s context: the tokens its KV cache holds and the job running in it, if any.
 * Touched only by the engine's decode thread.
 */
final class EngineSlot {
    /** The llama.cpp sequence id, also the slot's index in the engine. */
    final int seq;
    /** The tokens at positions 0.. of this sequence's KV cache. */
    int[] cached = new int[0];
    /** The LoRA adapters {@link #cached} was computed with: KV state under one set is wrong under another. */
    AdapterSet cachedWith = AdapterSet.NONE;
    /**
     * The {@link #cached} array last saved to host RAM (compared by identity: every change of the cache makes a new
     * array), or null.
     */
    int[] saved;
    /** The job this slot serves, or null while it idles (its cache stays, for the next prompt to reuse). */
    EngineJob job;

    EngineSlot(int seq) {
        this.seq = seq;
    }

    boolean free() {
        return job == null;
    }

    /** Whether the slot's job has started: its prefix is in place and its sampler built. */
    boolean started() {
        return job != null && job.completion != null;
    }

    /** Whether the slot's job has a sampled token to decode in the next batch. */
    boolean decoding() {
        return started() && !job.prefilling() && !job.handle.isPaused();
    }

    /** Tokens the slot decodes this step: its pending token and its draft, or none when it does not decode. */
    int decodeTokens() {
        return decoding() ? 1 + job.drafted.length : 0;
    }

    /** Prompt tokens the slot's job still has to evaluate (0 when it is not prefilling). */
    int promptRemaining() {
        if (!started() || !job.prefilling()) {
            return 0;
        }
        // Text up to the next image: images are evaluated by the projector, not in the batch.
        int end = job.images == null ? job.prompt.length : job.images.nextImageStart(job.prefilled);
        if (job.prefilled < job.checkpointAt) {
            end = Math.min(end, job.checkpointAt);
        }
        return end - job.prefilled;
    }
}
