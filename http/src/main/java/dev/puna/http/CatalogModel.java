package dev.puna.http;

import java.nio.file.Path;
import dev.puna.store.Message;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model as the {@link ModelCatalog} knows it: what the server needs to load and describe it.
 *
 * @param name the canonical name {@code /api/tags} shows, e.g. {@code llama3:latest}
 * @param path the GGUF file to load
 * @param digest the manifest digest ({@code sha256:<hex>}), or the empty string when there is none
 * @param size the model's size in bytes, as {@code /api/tags} reports it
 * @param modifiedAt when the model was created or last changed
 * @param details the facts {@code /api/tags}, {@code /api/show} and {@code /api/ps} report
 * @param template the Modelfile {@code TEMPLATE} (Go template syntax), or {@code null} to use the GGUF's chat
 *     template
 * @param system the Modelfile {@code SYSTEM} prompt, or {@code null}
 * @param parameters the Modelfile {@code PARAMETER}s as Ollama option names and JSON-like values ({@code stop}
 *     as a list of strings); request {@code options} override them
 * @param license the Modelfile {@code LICENSE}, or {@code null}
 * @param modelfile the model's Modelfile text, or {@code null} to let {@code /api/show} write one from the fields
 *     above
 * @param messages the Modelfile {@code MESSAGE}s: a conversation {@code /api/chat} puts before the request's
 *     messages
 * @param adapters the LoRA adapters the manifest names ({@code ADAPTER}), applied when the model loads
 * @param projectors the image projectors the manifest names (Ollama's {@code application/vnd.ollama.image.projector}
 *     layers); the first is loaded with the model, which then takes images
 */
public record CatalogModel(String name, Path path, String digest, long size, Instant modifiedAt, ModelDetails details,
                           String template, String system, Map<String, Object> parameters, String license,
                           String modelfile, List<Message> messages, List<Path> adapters, List<Path> projectors) {
    /** Checks the required fields and copies the parameters and messages. */
    public CatalogModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(modifiedAt, "modifiedAt");
        Objects.requireNonNull(details, "details");
        // A copy that keeps order and allows null values, as JSON does.
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        messages = messages == null ? List.of() : List.copyOf(messages);
        adapters = adapters == null ? List.of() : List.copyOf(adapters);
        projectors = projectors == null ? List.of() : List.copyOf(projectors);
    }

    /** A model without projectors. */
    public CatalogModel(String name, Path path, String digest, long size, Instant modifiedAt, ModelDetails details,
                        String template, String system, Map<String, Object> parameters, String license,
                        String modelfile, List<Message> messages, List<Path> adapters) {
        this(name, path, digest, size, modifiedAt, details, template, system, parameters, license, modelfile,
                messages, adapters, List.of());
    }

    /** A model without adapters. */
    public CatalogModel(String name, Path path, String digest, long size, Instant modifiedAt, ModelDetails details,
                        String template, String system, Map<String, Object> parameters, String license,
                        String modelfile, List<Message> messages) {
        this(name, path, digest, size, modifiedAt, details, template, system, parameters, license, modelfile,
                messages, List.of());
    }

    /** A model without Modelfile messages. */
    public CatalogModel(String name, Path path, String digest, long size, Instant modifiedAt, ModelDetails details,
                        String template, String system, Map<String, Object> parameters, String license,
                        String modelfile) {
        this(name, path, digest, size, modifiedAt, details, template, system, parameters, license, modelfile,
                List.of());
    }

    /** A model without Modelfile settings: only a GGUF file. */
    public static CatalogModel ofFile(String name, Path path, String digest, long size, Instant modifiedAt,
                                      ModelDetails details) {
        return new CatalogModel(name, path, digest, size, modifiedAt, details, null, null, Map.of(), null, null);
    }
}
