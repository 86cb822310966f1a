package dev.puna.store;

import java.util.Objects;

/**
 * One progress update of a long operation, shaped like Ollama's {@code ProgressResponse}: {@code {status, digest,
 * total, completed}}. Servers serialize it as one NDJSON line, leaving out a null digest and zero totals (Ollama's
 * {@code omitempty}).
 *
 * <p>Statuses follow Ollama: {@code "pulling manifest"}, {@code "pulling <12 hex>"}, {@code "verifying sha256
 * digest"}, {@code "writing manifest"}, {@code "success"} for pull; {@code "retrieving manifest"}, {@code
 * "pushing <12 hex>"}, {@code "pushing manifest"}, {@code "success"} for push; {@code "parsing GGUF"},
 * {@code "quantizing F16 model to Q8_0"}, {@code "using existing layer sha256:..."}, {@code "creating new layer
 * sha256:..."}, {@code "writing manifest"}, {@code "success"} for create.
 *
 * @param status what is happening, never null
 * @param digest the blob the update is about ({@code sha256:...}), or null
 * @param total the blob's size in bytes, or 0 when not a transfer
 * @param completed how many of {@code total} bytes are done
 */
public record Progress(String status, String digest, long total, long completed) {

    /** Validates that {@code status} is present. */
    public Progress {
        Objects.requireNonNull(status, "status");
    }

    /** An update that is only a status line. */
    public static Progress status(String status) {
        return new Progress(status, null, 0, 0);
    }
}
