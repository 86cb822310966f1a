package dev.puna.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Tuning of {@link RegistryClient}: how blobs are split into parallel ranged downloads, retried, and uploaded.
 * Defaults follow Ollama (up to 16 parts of 100 MiB to 1000 MiB, 6 retries). Immutable; build with
 * {@link #builder()}.
 *
 * @param maxParts the most parts one blob is split into (and downloaded in parallel)
 * @param minPartSize the smallest part, in bytes
 * @param maxPartSize the largest part, in bytes
 * @param maxRetries how often a failed part download is retried before the pull fails
 * @param retryBackoff the wait before the first retry (doubling each time)
 * @param stallTimeout a part that receives nothing for this long is reconnected
 * @param uploadMode how blobs are pushed
 * @param uploadChunkSize the size of one {@code PATCH} of a chunked upload, in bytes
 * @param connectTimeout the TCP connect timeout
 * @param requestTimeout the timeout of requests without a large body (manifests, HEAD, upload sessions)
 * @param huggingFaceEndpoint where {@code hf.co/<user>/<repo>:<quant>} (and {@code huggingface.co/...}) names are
 *     pulled from, e.g. a mirror (what {@code HF_ENDPOINT} is to Hugging Face's own tools); null for the name's
 *     host over HTTPS, {@code https://hf.co}
 */
public record RegistryOptions(int maxParts, long minPartSize, long maxPartSize, int maxRetries,
        Duration retryBackoff, Duration stallTimeout, UploadMode uploadMode, long uploadChunkSize,
        Duration connectTimeout, Duration requestTimeout, java.net.URI huggingFaceEndpoint) {

    /** How a blob is pushed. */
    public enum UploadMode {
        /** One {@code PUT ?digest=} with the whole blob after opening the upload session. */
        MONOLITHIC,
        /** {@code PATCH} requests of {@link #uploadChunkSize()} bytes each, then {@code PUT ?digest=}. */
        CHUNKED,
        /** Monolithic for blobs up to one chunk, chunked for larger ones. */
        AUTO
    }

    private static final long MIB = 1024 * 1024;

    /** Validates the values. */
    public RegistryOptions {
        if (maxParts < 1 || minPartSize < 1 || maxPartSize < minPartSize || maxRetries < 0 || uploadChunkSize < 1) {
            throw new IllegalArgumentException("invalid registry options");
        }
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(stallTimeout, "stallTimeout");
        Objects.requireNonNull(uploadMode, "uploadMode");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (huggingFaceEndpoint != null && (huggingFaceEndpoint.getScheme() == null
                || !List.of("http", "https").contains(huggingFaceEndpoint.getScheme())
                || huggingFaceEndpoint.getHost() == null)) {
            throw new IllegalArgumentException("the Hugging Face endpoint must be an http:// or https:// URL, not "
                    + huggingFaceEndpoint);
        }
    }

    /** The defaults. */
    public static RegistryOptions defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The part size for a blob of {@code size} bytes: size / maxParts, clamped to [minPartSize, maxPartSize]. */
    public long partSize(long size) {
        return Math.clamp((size + maxParts - 1) / maxParts, minPartSize, maxPartSize);
    }

    /** Builds {@link RegistryOptions}. Not thread-safe. */
    public static final class Builder {
        private int maxParts = 16;
        private long minPartSize = 100 * MIB;
        private long maxPartSize = 1000 * MIB;
        private int maxRetries = 6;
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Duration stallTimeout = Duration.ofSeconds(30);
        private UploadMode uploadMode = UploadMode.AUTO;
        private long uploadChunkSize = 64 * MIB;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private java.net.URI huggingFaceEndpoint;

        private Builder() {
        }

        /** The most parts one blob is downloaded in. */
        public Builder maxParts(int value) {
            this.maxParts = value;
            return this;
        }

        /** The part size bounds, in bytes. */
        public Builder partSize(long min, long max) {
            this.minPartSize = min;
            this.maxPartSize = max;
            return this;
        }

        /** Retries per part. */
        public Builder maxRetries(int value) {
            this.maxRetries = value;
            return this;
        }

        /** The first retry's wait. */
        public Builder retryBackoff(Duration value) {
            this.retryBackoff = value;
            return this;
        }

        /** How long a part may receive nothing before it is reconnected. */
        public Builder stallTimeout(Duration value) {
            this.stallTimeout = value;
            return this;
        }

        /** How blobs are pushed. */
        public Builder uploadMode(UploadMode value) {
            this.uploadMode = value;
            return this;
        }

        /** The size of one chunk of a chunked upload. */
        public Builder uploadChunkSize(long value) {
            this.uploadChunkSize = value;
            return this;
        }

        /** The connect timeout. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** The timeout of small requests. */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = value;
            return this;
        }

        /** Where {@code hf.co/...} names are pulled from (a mirror); null for {@code https://hf.co}. */
        public Builder huggingFaceEndpoint(java.net.URI value) {
            this.huggingFaceEndpoint = value;
            return this;
        }

        /** The options. */
        public RegistryOptions build() {
            return new RegistryOptions(maxParts, minPartSize, maxPartSize, maxRetries, retryBackoff, stallTimeout,
                    uploadMode, uploadChunkSize, connectTimeout, requestTimeout, huggingFaceEndpoint);
        }
    }
}
