package dev.puna.http.internal.gotemplate;

import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ollama's {@code api.Message}, {@code api.Tool} and their parts as template values: the fields a template can
 * reach ({@code .Role}, {@code .Content}, {@code .Thinking}, {@code .ToolCalls}, {@code .Function.Name},
 * {@code .Function.Arguments}, {@code .Function.Parameters.Properties}, ...) and the JSON Go would marshal them to
 * ({@code json} tags, {@code omitempty}). Tools, tool functions and call arguments print as JSON, as their
 * {@code String()} methods make them do in Ollama. Numbers inside arguments and schemas are float64, as
 * {@code encoding/json} decodes them into {@code any}.
 */
final class TemplateValues {
    private TemplateValues() {
    }

    /** A Go map that prints as its JSON ({@code ToolCallFunctionArguments}). */
    static final class JsonPrintingMap extends LinkedHashMap<String, Object> {
        private static final long serialVersionUID = 1L;
    }

    static List<Object> messages(List<ChatMessage> messages) {
        List<Object> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            List<Object> calls = new ArrayList<>();
            for (int i = 0; i < m.toolCalls().size(); i++) {
                calls.add(toolCall(m.toolCalls().get(i), i));
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("Role", m.role());
            f.put("Content", m.content() == null ? "" : m.content());
            f.put("Thinking", m.thinking() == null ? "" : m.thinking());
            f.put("Images", List.of());
            f.put("ToolCalls", calls);
            f.put("ToolName", m.toolName() == null ? "" : m.toolName());
            f.put("ToolCallID", m.toolCallId() == null ? "" : m.toolCallId());
            out.add(new GoStruct("api.Message", f, () -> {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("role", f.get("Role"));
                j.put("content", f.get("Content"));
                putNonEmpty(j, "thinking", f.get("Thinking"));
                putNonEmpty(j, "tool_calls", calls);
                putNonEmpty(j, "tool_name", f.get("ToolName"));
                putNonEmpty(j, "tool_call_id", f.get("ToolCallID"));
                return new GoJsonWriter.Ordered(j);
            }, false));
        }
        return out;
    }

    private static GoStruct toolCall(ToolCall call, int index) {
        JsonPrintingMap args = new JsonPrintingMap();
        call.arguments().forEach((k, v) -> args.put(k, goValue(v)));
        Map<String, Object> fn = new LinkedHashMap<>();
        fn.put("Index", (long) index);
        fn.put("Name", call.name());
        fn.put("Arguments", args);
        GoStruct function = new GoStruct("api.ToolCallFunction", fn, () -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("index", (long) index);
            j.put("name", call.name());
            j.put("arguments", args);
            return new GoJsonWriter.Ordered(j);
        }, false);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ID", call.id() == null ? "" : call.id());
        f.put("Function", function);
        return new GoStruct("api.ToolCall", f, () -> {
            Map<String, Object> j = new LinkedHashMap<>();
            putNonEmpty(j, "id", f.get("ID"));
            j.put("function", function);
            return new GoJsonWriter.Ordered(j);
        }, false);
    }

    static List<Object> tools(List<Map<String, Object>> tools) {
        List<Object> out = new ArrayList<>(tools.size());
        for (Map<String, Object> t : tools) {
            Map<String, Object> fnJson = map(t.get("function"));
            Map<String, Object> fn = new LinkedHashMap<>();
            fn.put("Name", string(fnJson.get("name")));
            fn.put("Description", string(fnJson.get("description")));
            GoStruct parameters = parameters(map(fnJson.get("parameters")));
            fn.put("Parameters", parameters);
            GoStruct function = new GoStruct("api.ToolFunction", fn, () -> {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("name", fn.get("Name"));
                putNonEmpty(j, "description", fn.get("Description"));
                j.put("parameters", parameters);
                return new GoJsonWriter.Ordered(j);
            }, true);
            Map<String, Object> f = new LinkedHashMap<>();
            String type = string(t.get("type"));
            Object items = goValue(t.get("items"));
            f.put("Type", type);
            f.put("Items", items);
            f.put("Function", function);
            out.add(new GoStruct("api.Tool", f, () -> {
                Map<String, Object> j = new LinkedHashMap<>();
                j.put("type", type);
                putNonEmpty(j, "items", items);
                j.put("function", function);
                return new GoJsonWriter.Ordered(j);
            }, true));
        }
        return out;
    }

    private static GoStruct parameters(Map<String, Object> p) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("Type", string(p.get("type")));
        f.put("Defs", goValue(p.get("$defs")));
        f.put("Items", goValue(p.get("items")));
        List<Object> required = new ArrayList<>();
        if (p.get("required") instanceof List<?> r) {
            r.forEach(x -> required.add(string(x)));
        }
        f.put("Required", required);
        Map<String, Object> properties = new TreeMap<>();
        map(p.get("properties")).forEach((k, v) -> properties.put(k, property(map(v))));
        f.put("Properties", properties);
        return new GoStruct("api.ToolFunctionParameters", f, () -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("type", f.get("Type"));
            putNonEmpty(j, "$defs", f.get("Defs"));
            putNonEmpty(j, "items", f.get("Items"));
            putNonEmpty(j, "required", required);
            j.put("properties", properties);
            return new GoJsonWriter.Ordered(j);
        }, false);
    }

    private static GoStruct property(Map<String, Object> p) {
        Map<String, Object> f = new LinkedHashMap<>();
        List<Object> anyOf = new ArrayList<>();
        if (p.get("anyOf") instanceof List<?> l) {
            l.forEach(x -> anyOf.add(property(map(x))));
        }
        f.put("AnyOf", anyOf);
        Object type = p.get("type") instanceof List<?> l && l.size() != 1 ? goValue(l)
                : string(p.get("type") instanceof List<?> l1 ? l1.getFirst() : p.get("type"));
        f.put("Type", type);
        f.put("Items", goValue(p.get("items")));
        f.put("Description", string(p.get("description")));
        List<Object> enumValues = new ArrayList<>();
        if (p.get("enum") instanceof List<?> l) {
            l.forEach(x -> enumValues.add(goValue(x)));
        }
        f.put("Enum", enumValues);
        return new GoStruct("api.ToolProperty", f, () -> {
            Map<String, Object> j = new LinkedHashMap<>();
            putNonEmpty(j, "anyOf", anyOf);
            putNonEmpty(j, "type", type);
            putNonEmpty(j, "items", f.get("Items"));
            putNonEmpty(j, "description", f.get("Description"));
            putNonEmpty(j, "enum", enumValues);
            return new GoJsonWriter.Ordered(j);
        }, false);
    }

    /** {@code omitempty}: nil, "", empty slices and maps are left out. */
    private static void putNonEmpty(Map<String, Object> j, String key, Object v) {
        boolean empty = v == null || (v instanceof String s && s.isEmpty())
                || (v instanceof List<?> l && l.isEmpty()) || (v instanceof Map<?, ?> m && m.isEmpty());
        if (!empty) {
            j.put(key, v);
        }
    }

    /** A JSON-like value as {@code encoding/json} decodes it into {@code any}: numbers become float64. */
    static Object goValue(Object v) {
        return switch (v) {
            case null -> null;
            case Number n -> n.doubleValue();
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(String.valueOf(k), goValue(x)));
                yield out;
            }
            case List<?> l -> {
                List<Object> out = new ArrayList<>(l.size());
                l.forEach(x -> out.add(goValue(x)));
                yield out;
            }
            default -> v;
        };
    }

    private static Map<String, Object> map(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), x));
            return out;
        }
        return Map.of();
    }

    private static String string(Object v) {
        return v instanceof String s ? s : v == null ? "" : String.valueOf(v);
    }
}
