package dev.puna.http.internal.gotemplate;

import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A Go struct value as a template sees it: named fields ({@code .Role}), a JSON form for {@code json} (its
 * {@code json:"..."} tags, {@code omitempty} applied), and whether it prints as that JSON (a {@code String()}
 * method, as Ollama's {@code Tool}, {@code ToolFunction} and tool-call arguments have). Fields a struct does not
 * have are execution errors, as in Go; a struct is always true in {@code if}.
 *
 * @param type the Go type name, for error messages
 * @param fields field values by Go name, in declaration order
 * @param json the JSON form, built when first needed
 * @param printsJson whether printing the struct prints its JSON ({@code fmt.Stringer})
 */
public record GoStruct(String type, Map<String, Object> fields, Supplier<Object> json, boolean printsJson) {
    public GoStruct {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(json, "json");
    }
}
