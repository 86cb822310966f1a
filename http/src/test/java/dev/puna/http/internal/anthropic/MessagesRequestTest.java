package dev.puna.http.internal.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.puna.http.internal.ApiException;
import dev.puna.http.internal.JsonBody;
import dev.puna.http.internal.RequestLimits;
import dev.puna.http.internal.gotemplate.OllamaTemplate;
import dev.puna.http.internal.vision.ImageInputs;
import dev.puna.runtime.chat.ChatMessage;
import dev.puna.runtime.chat.ToolCall;
import dev.puna.runtime.tools.ToolChoice;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a Messages body becomes the chat machinery's conversation, tools and options. */
class MessagesRequestTest {
    private static MessagesRequest read(String json) {
        return MessagesRequest.read(JsonBody.parse(Buffer.buffer(json)), RequestLimits.DEFAULTS, true);
    }

    private static ApiException refused(String json) {
        return assertThrows(ApiException.class, () -> read(json));
    }

    @Test
    void aConversationWithToolsBecomesChatMessagesInOrder() {
        MessagesRequest r = read("""
                {"model":"m","max_tokens":10,"system":[{"type":"text","text":"A"},{"type":"text","text":"B"}],
                 "messages":[
                   {"role":"user","content":"Weather?"},
                   {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"s"},
                     {"type":"text","text":"Checking."},
                     {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Oslo"}},
                     {"type":"tool_use","id":"toolu_2","name":"time","input":{}}]},
                   {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"cold"},
                     {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,
                      "content":[{"type":"text","text":"no "},{"type":"text","text":"clock"}]},
                     {"type":"text","text":"And tomorrow?"}]}]}""");
        assertEquals(List.of(ChatMessage.system("A\n\nB"), ChatMessage.user("Weather?"),
                new ChatMessage("assistant", "Checking.", List.of(new ToolCall("toolu_1", "weather",
                        Map.of("city", "Oslo")), new ToolCall("toolu_2", "time", Map.of())), null, null, "hmm"),
                ChatMessage.tool("cold", "toolu_1", "weather"), ChatMessage.tool("Error: no clock", "toolu_2", "time"),
                ChatMessage.user("And tomorrow?")), r.messages());
        assertEquals(10, r.maxTokens());
        assertFalse(r.stream());
        assertEquals(OllamaTemplate.Think.UNSET, r.think());
    }

    @Test
    void toolsTakeTheChatShapeAndToolChoiceMapsOntoOpenAis() {
        MessagesRequest r = read("""
                {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"x"}],
                 "tools":[{"name":"weather","description":"Now","input_schema":{"type":"object"}}],
                 "tool_choice":{"type":"tool","name":"weather","disable_parallel_tool_use":true}}""");
        assertEquals(JsonBody.MAPPER.createArrayNode().add(JsonBody.MAPPER.createObjectNode().put("type", "function")
                .set("function", JsonBody.MAPPER.createObjectNode().put("name", "weather").put("description", "Now")
                        .set("parameters", JsonBody.MAPPER.createObjectNode().put("type", "object")))),
                r.toolsJson());
        assertEquals(ToolChoice.function("weather"), r.toolChoice());
        assertFalse(r.parallelToolCalls());
        for (String[] choice : new String[][] {{"auto", "Auto"}, {"any", "Required"}, {"none", "None"}}) {
            MessagesRequest c = read("{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"x\"}],\"tools\":[{\"name\":\"f\",\"input_schema\":{}}],\"tool_choice\":{\"type\":\""
                    + choice[0] + "\"}}");
            assertEquals(choice[1], c.toolChoice().getClass().getSimpleName(), choice[0]);
        }
    }

    @Test
    void samplingFieldsBecomeOllamaOptions() {
        MessagesRequest r = read("""
                {"model":"m","max_tokens":7,"temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["a","","b"],
                 "metadata":{"user_id":"u"},"messages":[{"role":"user","content":"x"}]}""");
        assertEquals(JsonBody.MAPPER.createObjectNode().put("temperature", 0.5).put("top_p", 0.9).put("top_k", 40)
                .put("num_predict", 7).set("stop", JsonBody.MAPPER.createArrayNode().add("a").add("b")), r.options());
        assertEquals(List.of("a", "b"), r.stopSequences());
    }

    @Test
    void imageBlocksAreDecodedAndMarkedWhereTheyStand() throws Exception {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(4, 3,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", png);
        String data = java.util.Base64.getMimeEncoder().encodeToString(png.toByteArray()); // with line breaks
        MessagesRequest r = read("""
                {"model":"m","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"See "},
                  {"type":"image","source":{"type":"base64","media_type":"image/png","data":"%s"}},
                  {"type":"text","text":" now"}]}]}""".formatted(data.replace("\r\n", "\\n")));
        assertEquals(1, r.images().size());
        assertEquals("messages[0].content[1]", r.images().getFirst().path());
        assertEquals("image/png", r.images().getFirst().mediaType());
        assertEquals(List.of(ChatMessage.user("See " + ImageInputs.SENTINEL + " now")), r.messages());
    }

    @Test
    void mistakesNameTheField() {
        assertEquals("messages[1].content[0].input: Field required", refused("""
                {"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"},
                 {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f"}]}]}""").getMessage());
        assertEquals("messages[0].content: at least one content block is required", refused("""
                {"model":"m","max_tokens":1,"messages":[{"role":"user","content":[]}]}""").getMessage());
        assertEquals("tools[1].name: duplicate tool name 'f'", refused("""
                {"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],
                 "tools":[{"name":"f","input_schema":{}},{"name":"f","input_schema":{}}]}""").getMessage());
        assertEquals("thinking.budget_tokens: must be at least 1024, got 100", refused("""
                {"model":"m","max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":100},
                 "messages":[{"role":"user","content":"x"}]}""").getMessage());
        ApiException e = refused("{\"model\":\"m\",\"max_tokens\":0,\"messages\":[]}");
        assertEquals("max_tokens", e.param());
        assertEquals("max_tokens: must be at least 1, got 0", e.getMessage());
    }
}
