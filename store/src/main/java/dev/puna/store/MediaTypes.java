package dev.puna.store;

/** The media types of Ollama manifests, config blobs and layers. */
public final class MediaTypes {
    /** The manifest itself (Docker image manifest, schema 2). */
    public static final String MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    /** The OCI image manifest, which some registries answer with; read like {@link #MANIFEST}. */
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    /** The config blob (Ollama's {@code ConfigV2}: model_format, model_family, ...). */
    public static final String CONFIG = "application/vnd.docker.container.image.v1+json";
    /** The GGUF model weights. */
    public static final String MODEL = "application/vnd.ollama.image.model";
    /** A LoRA adapter (GGUF). */
    public static final String ADAPTER = "application/vnd.ollama.image.adapter";
    /** A multimodal projector (GGUF), e.g. a CLIP vision encoder. */
    public static final String PROJECTOR = "application/vnd.ollama.image.projector";
    /** The prompt template (text). */
    public static final String TEMPLATE = "application/vnd.ollama.image.template";
    /** The default system prompt (text). */
    public static final String SYSTEM = "application/vnd.ollama.image.system";
    /** Default parameters (a JSON object). */
    public static final String PARAMS = "application/vnd.ollama.image.params";
    /** Messages to start from (a JSON array of {role, content}). */
    public static final String MESSAGES = "application/vnd.ollama.image.messages";
    /** A license text; a model may have several. */
    public static final String LICENSE = "application/vnd.ollama.image.license";

    private MediaTypes() {
    }
}
