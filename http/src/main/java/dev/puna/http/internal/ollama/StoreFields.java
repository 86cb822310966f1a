package dev.puna.http.internal.ollama;

import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.store.ModelName;

/** Request fields of the model-management routes, read strictly like every other route's. */
final class StoreFields {
    private StoreFields() {
    }

    /**
     * The model a request names: {@code model}, or Ollama's deprecated {@code name} (which Ollama's JavaScript and
     * Python clients still send for pull, push and delete).
     *
     * @throws ApiException 400 when neither is given
     * @throws dev.puna.store.InvalidModelNameException (400) naming the part of the name that is wrong
     */
    static String model(JsonBody body) {
        String model = body.string("model");
        String legacy = body.string("name");
        return name("model", model == null || model.isEmpty() ? legacy : model);
    }

    /**
     * A required name field, checked against Ollama's grammar.
     *
     * @throws ApiException 400 "{@code field} is required"
     * @throws dev.puna.store.InvalidModelNameException (400) naming the part of the name that is wrong
     */
    static String name(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.badParameter(field, field + " is required");
        }
        ModelName.parse(value);
        return value;
    }

    /** {@code insecure}: plain HTTP to the registry; default false. */
    static boolean insecure(JsonBody body) {
        Boolean insecure = body.bool("insecure");
        return insecure != null && insecure;
    }
}
