package dev.puna.store.internal.registry;

import dev.puna.store.Digest;
import dev.puna.store.ModelName;
import java.net.URI;

/**
 * Where a model lives on its registry (Ollama's {@code /v2/...} protocol, which is OCI distribution's): the
 * name's host is the registry, {@code namespace/model} the repository, the tag the manifest reference. This holds
 * for {@code hf.co/<user>/<repo>:<quant>} too, which Hugging Face serves over the same protocol at
 * {@code https://hf.co}.
 */
public final class RegistryUrls {
    private RegistryUrls() {
    }

    /** {@code https://<host>} (or {@code http://} when {@code insecure}, as Ollama does). */
    public static URI base(ModelName name, boolean insecure) {
        return base(name, insecure, null);
    }

    /**
     * Like {@link #base(ModelName, boolean)}, with {@code huggingFace} (a mirror, without a trailing slash
     * needed) in place of {@code https://hf.co} for Hugging Face names; null for none.
     */
    public static URI base(ModelName name, boolean insecure, URI huggingFace) {
        if (huggingFace != null && name.isHuggingFace()) {
            String s = huggingFace.toString();
            return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        }
        return URI.create((insecure ? "http://" : "https://") + name.host());
    }

    /** {@code <base>/v2/<namespace>/<model>/manifests/<tag>}. */
    public static URI manifest(ModelName name, boolean insecure) {
        return manifest(name, insecure, null);
    }

    /** {@code <base>/v2/<namespace>/<model>/manifests/<tag>}, Hugging Face names from {@code huggingFace}. */
    public static URI manifest(ModelName name, boolean insecure, URI huggingFace) {
        return URI.create(base(name, insecure, huggingFace) + "/v2/" + name.repository() + "/manifests/"
                + name.tag());
    }

    /** {@code <base>/v2/<namespace>/<model>/blobs/<digest>}. */
    public static URI blob(ModelName name, boolean insecure, Digest digest) {
        return blob(name, insecure, null, digest);
    }

    /** {@code <base>/v2/<namespace>/<model>/blobs/<digest>}, Hugging Face names from {@code huggingFace}. */
    public static URI blob(ModelName name, boolean insecure, URI huggingFace, Digest digest) {
        return URI.create(base(name, insecure, huggingFace) + "/v2/" + name.repository() + "/blobs/" + digest);
    }

    /** {@code <base>/v2/<namespace>/<model>/blobs/uploads/}: where an upload session starts. */
    public static URI uploads(ModelName name, boolean insecure) {
        return URI.create(base(name, insecure) + "/v2/" + name.repository() + "/blobs/uploads/");
    }

    /**
     * {@code location} (an upload session URL, possibly relative) with {@code digest=} added to its query, for the
     * {@code PUT} that completes an upload.
     */
    public static URI withDigest(URI location, Digest digest) {
        String s = location.toString();
        return URI.create(s + (location.getRawQuery() == null ? "?" : "&") + "digest=" + digest.toString()
                .replace(":", "%3A"));
    }
}
