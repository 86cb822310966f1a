package dev.puna.http.internal.ollama;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.puna.http.internal.JsonBody;
import dev.puna.store.Capability;
import dev.puna.store.Message;
import dev.puna.store.ModelDetails;
import dev.puna.store.ShowResult;

/**
 * {@code POST /api/show}'s answer for a stored model, Ollama's {@code ShowResponse} field by field: text fields,
 * messages and projector info are left out when empty ({@code omitempty}); {@code model_info} is always an
 * object.
 */
final class ShowJson {
    private ShowJson() {
    }

    static ObjectNode of(ShowResult r) {
        ObjectNode o = OllamaJson.object();
        putText(o, "license", r.license());
        putText(o, "modelfile", r.modelfile());
        putText(o, "parameters", r.parameters());
        putText(o, "template", r.template());
        putText(o, "system", r.system());
        o.set("details", details(r.details()));
        if (!r.messages().isEmpty()) {
            ArrayNode messages = o.putArray("messages");
            for (Message m : r.messages()) {
                messages.addObject().put("role", m.role()).put("content", m.content());
            }
        }
        o.set("model_info", JsonBody.MAPPER.valueToTree(r.modelInfo()));
        if (!r.projectorInfo().isEmpty()) {
            o.set("projector_info", JsonBody.MAPPER.valueToTree(r.projectorInfo()));
        }
        ArrayNode caps = o.putArray("capabilities");
        for (Capability c : r.capabilities()) {
            caps.add(c.apiName());
        }
        if (dev.puna.http.internal.GgufFacts.thinks(r.template())) {
            caps.add("thinking");
        }
        o.put("modified_at", OllamaJson.time(r.modifiedAt()));
        return o;
    }

    private static void putText(ObjectNode o, String field, String value) {
        if (value != null && !value.isEmpty()) {
            o.put(field, value);
        }
    }

    private static ObjectNode details(ModelDetails d) {
        return OllamaJson.details(new dev.puna.http.ModelDetails(d.parentModel(), d.format(), d.family(),
                d.families(), d.parameterSize(), d.quantizationLevel()));
    }
}
