package dev.puna.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.http.ServerConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code PUNA_COMPLETION_TEMPLATES}: a JSON object whose keys are model names and whose values are
 * code-completion templates, e.g.
 * {@code {"qwen2.5-coder:1.5b": "{<|fim_prefix|>}{code_prefix}{<|fim_suffix|>}{code_suffix}{<|fim_middle|>}"}}.
 */
public final class CompletionTemplateFile {
    private static final String VARIABLE = "PUNA_COMPLETION_TEMPLATES";

    private CompletionTemplateFile() {
    }

    /**
     * The model names and templates in {@code file}, in file order (checked by
     * {@link dev.puna.http.ServerConfig.Builder#completionTemplate}).
     *
     * @throws ServerConfigException naming {@code PUNA_COMPLETION_TEMPLATES} when the file cannot be read, is not
     *     JSON, not an object, or holds a value that is not a string
     */
    public static Map<String, String> read(Path file) {
        JsonNode tree;
        try {
            tree = JsonBody.MAPPER.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new ServerConfigException(VARIABLE, "'" + file + "' is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ServerConfigException(VARIABLE, "cannot read '" + file + "': " + e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ServerConfigException(VARIABLE, "'" + file + "' must hold a JSON object mapping model names to "
                    + "templates");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : tree.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ServerConfigException(VARIABLE, "the template for '" + e.getKey() + "' in '" + file
                        + "' must be a string, got " + JsonBody.describe(e.getValue()));
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }
}
