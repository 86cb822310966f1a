package dev.puna.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /api/create}: a new model from an existing one ({@code from}) or from uploaded GGUF blobs
 * ({@code files}), with optional adapters, template, system prompt, licenses, parameters, messages and
 * quantization. Fields left null inherit from {@code from}; built with {@link #builder(String)}. Immutable.
 *
 * @param model the name to create (replaced if it exists)
 * @param from the model to start from, or null
 * @param files GGUF blobs by file name ({@code {"model.gguf": sha256:...}}): the model and optional projector
 * @param adapters LoRA adapter blobs by file name
 * @param template the prompt template, or null to inherit
 * @param system the system prompt, or null to inherit
 * @param license license texts to add (each becomes a layer)
 * @param parameters parameters by name (see {@code Modelfile}'s PARAMETER); merged over inherited ones
 * @param messages messages to start from; replace inherited ones when not empty
 * @param quantize {@code q8_0}, {@code q4_K_M} or {@code q4_K_S}, or null
 */
public record CreateRequest(String model, String from, Map<String, Digest> files, Map<String, Digest> adapters,
        String template, String system, List<String> license, Map<String, Object> parameters,
        List<Message> messages, String quantize) {

    /** Copies the collections (keeping their order); nulls become empty. */
    public CreateRequest {
        Objects.requireNonNull(model, "model");
        files = files == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(files));
        adapters = adapters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(adapters));
        license = license == null ? List.of() : List.copyOf(license);
        parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    /** A builder for a request creating {@code model}. */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** Builds a {@link CreateRequest}. Not thread-safe. */
    public static final class Builder {
        private final String model;
        private String from;
        private final Map<String, Digest> files = new LinkedHashMap<>();
        private final Map<String, Digest> adapters = new LinkedHashMap<>();
        private String template;
        private String system;
        private final List<String> license = new ArrayList<>();
        private final Map<String, Object> parameters = new LinkedHashMap<>();
        private final List<Message> messages = new ArrayList<>();
        private String quantize;

        private Builder(String model) {
            this.model = model;
        }

        /** Start from this model. */
        public Builder from(String name) {
            this.from = name;
            return this;
        }

        /** Adds an uploaded GGUF blob. */
        public Builder file(String fileName, Digest digest) {
            files.put(fileName, digest);
            return this;
        }

        /** Adds an uploaded LoRA adapter blob. */
        public Builder adapter(String fileName, Digest digest) {
            adapters.put(fileName, digest);
            return this;
        }

        /** Sets the template. */
        public Builder template(String text) {
            this.template = text;
            return this;
        }

        /** Sets the system prompt. */
        public Builder system(String text) {
            this.system = text;
            return this;
        }

        /** Adds a license text. */
        public Builder license(String text) {
            license.add(text);
            return this;
        }

        /** Sets a parameter (a Number, Boolean, String or List of String). */
        public Builder parameter(String name, Object value) {
            parameters.put(name, value);
            return this;
        }

        /** Sets several parameters. */
        public Builder parameters(Map<String, ?> values) {
            parameters.putAll(values);
            return this;
        }

        /** Adds a message. */
        public Builder message(String role, String content) {
            messages.add(new Message(role, content));
            return this;
        }

        /** Quantize the model layer to this type. */
        public Builder quantize(String type) {
            this.quantize = type;
            return this;
        }

        /** The request. */
        public CreateRequest build() {
            return new CreateRequest(model, from, files, adapters, template, system, license, parameters, messages,
                    quantize);
        }
    }
}
