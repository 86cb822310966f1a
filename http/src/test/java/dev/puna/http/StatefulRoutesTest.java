package dev.puna.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.puna.state.DatabaseUrl.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stateful routes (assistants, threads, messages, runs, steps, responses, conversations) over real HTTP, on both
 * engines: every
 * route's bad input with its exact status and OpenAI error body, unknown ids, the active-run conflicts, metadata
 * limits, and OpenAI's cursor paging at its edges. Ids in the table are placeholders for objects the set-up makes:
 * an assistant {@code {A}}, a thread {@code {T1}} whose run {@code {R1}} waits for tool outputs (call {@code {CALL}}),
 * an idle thread {@code {T2}}, a thread {@code {T3}} whose run {@code {R3}} completed, a stored response
 * {@code {RESP}} and a conversation {@code {CONV}}.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StatefulRoutesTest {
    private StatefulServer server;

    abstract Backend backend();


    private final Map<String, String> ids = new java.util.LinkedHashMap<>();

    @BeforeAll
    void start() throws Exception {
        server = new StatefulServer(backend(), "stateful_routes");
        Http http = server.http();
        String a = http.post("/v1/assistants", "{\"model\":\"scripted\",\"temperature\":0,\"tools\":[{\"type\":"
                + "\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":8}},\"required\":[\"city\"]}}}]}")
                .json().get("id").asText();
        ids.put("{A}", a);
        JsonNode r1 = http.post("/v1/threads/runs", "{\"assistant_id\":\"" + a + "\",\"parallel_tool_calls\":false,"
                + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}},"
                + "\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}}").json();
        ids.put("{T1}", r1.get("thread_id").asText());
        ids.put("{R1}", r1.get("id").asText());
        JsonNode waiting = await(r1.get("thread_id").asText(), r1.get("id").asText());
        assertEquals("requires_action", waiting.get("status").asText());
        ids.put("{CALL}", waiting.get("required_action").get("submit_tool_outputs").get("tool_calls").get(0)
                .get("id").asText());
        ids.put("{T2}", http.post("/v1/threads", "{}").json().get("id").asText());
        JsonNode r3 = http.post("/v1/threads/runs", "{\"assistant_id\":\"" + a + "\",\"tool_choice\":\"none\","
                + "\"thread\":{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}}").json();
        ids.put("{T3}", r3.get("thread_id").asText());
        ids.put("{R3}", r3.get("id").asText());
        assertEquals("completed", await(r3.get("thread_id").asText(), r3.get("id").asText()).get("status").asText());
        ids.put("{RESP}", http.post("/v1/responses", "{\"model\":\"scripted\",\"input\":\"Hello\"}").json().get("id")
                .asText());
        ids.put("{CONV}", http.post("/v1/conversations", "{\"items\":[{\"role\":\"user\",\"content\":\"Hi\"}]}")
                .json().get("id").asText());
    }

    private JsonNode await(String thread, String run) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            JsonNode r = server.http().get("/v1/threads/" + thread + "/runs/" + run).json();
            if (!List.of("queued", "in_progress", "cancelling").contains(r.get("status").asText())) {
                return r;
            }
            assertTrue(System.nanoTime() < deadline, r.toString());
            Thread.sleep(20);
        }
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String fill(String s) {
        if (s == null) {
            return null;
        }
        for (var e : ids.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        return s;
    }

    // ---- bad input, every route: method | path | body | status | param | code | exact message ----

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', nullValues = "", textBlock = """
            POST | /v1/assistants |  | 400 |  |  | missing request body
            POST | /v1/assistants | `[1]` | 400 |  |  | request body must be a JSON object, got an array
            POST | /v1/assistants | `{"model":` | 400 |  |  | invalid JSON in request body: Unexpected end-of-input within/between Object entries (line 1, column 10)
            POST | /v1/assistants | `{}` | 400 | model |  | "model" is required
            POST | /v1/assistants | `{"model":"../x"}` | 400 | model |  | invalid model name '../x'
            POST | /v1/assistants | `{"model":"nope"}` | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/assistants | `{"model":"scripted","colour":"red"}` | 400 | colour |  | Unrecognized request argument supplied: colour
            POST | /v1/assistants | `{"model":"scripted","name":5}` | 400 | name |  | invalid value for "name": expected a string, got a number (5)
            POST | /v1/assistants | `{"model":"scripted","temperature":3}` | 400 | temperature |  | "temperature" must be between 0 and 2, got 3.0
            POST | /v1/assistants | `{"model":"scripted","top_p":-1}` | 400 | top_p |  | "top_p" must be between 0 and 1, got -1.0
            POST | /v1/assistants | `{"model":"scripted","tools":[{"type":"code_interpreter"}]}` | 400 | tools[0].type |  | the code_interpreter tool is not supported by this server: it has no code sandbox (use function tools)
            POST | /v1/assistants | `{"model":"scripted","tools":[{"type":"file_search"}]}` | 400 | tools[0].type |  | the file_search tool is not supported by this server: it has no files or vector stores (use function tools)
            POST | /v1/assistants | `{"model":"scripted","tools":[{"type":"function","function":{"name":"bad name"}}]}` | 400 | tools[0].function.name |  | "tools[0].function.name" is required: 1 to 64 letters, digits, '_' or '-'
            POST | /v1/assistants | `{"model":"scripted","tools":[{"type":"function"}]}` | 400 | tools[0].function |  | "tools[0].function" is required
            POST | /v1/assistants | `{"model":"scripted","tools":[{"type":"browser"}]}` | 400 | tools[0].type |  | invalid value for "tools[0].type": expected "function", got "browser"
            POST | /v1/assistants | `{"model":"scripted","metadata":{"k":1}}` | 400 | metadata |  | invalid value for "metadata.k": expected a string, got a number (1)
            POST | /v1/assistants | `{"model":"scripted","metadata":[]}` | 400 | metadata |  | invalid value for "metadata": expected an object of string values, got an array
            POST | /v1/assistants | `{"model":"scripted","response_format":{"type":"json_schema"}}` | 400 | response_format.json_schema |  | "response_format.json_schema" is required for type json_schema
            POST | /v1/assistants | `{"model":"scripted","response_format":7}` | 400 | response_format |  | invalid value for "response_format": expected "auto" or an object, got a number (7)
            POST | /v1/assistants | `{"model":"scripted","reasoning_effort":"max"}` | 400 | reasoning_effort |  | invalid value for "reasoning_effort": expected "minimal", "low", "medium" or "high", got "max"
            POST | /v1/assistants | `{"model":"scripted","tool_resources":{"file_search":{"vector_store_ids":["vs_1"]}}}` | 400 | tool_resources.file_search |  | "tool_resources" are not supported: this server has no files or vector stores
            GET | /v1/assistants?limit=0 |  | 400 | limit |  | "limit" must be between 1 and 100, got 0
            GET | /v1/assistants?limit=101 |  | 400 | limit |  | "limit" must be between 1 and 100, got 101
            GET | /v1/assistants?limit=ten |  | 400 | limit |  | invalid value for "limit": expected an integer, got 'ten'
            GET | /v1/assistants?order=up |  | 400 | order |  | invalid value for "order": expected 'asc' or 'desc', got 'up'
            GET | /v1/assistants?after=bad%20id |  | 400 | after |  | invalid "after" cursor 'bad id': expected an object id
            GET | /v1/assistants?before=asst_nope |  | 400 | before |  | invalid "before" cursor 'asst_nope': no such object in this list
            GET | /v1/assistants?limit=1&limit=2 |  | 400 | limit |  | "limit" is given 2 times
            GET | /v1/assistants/asst_missing |  | 404 |  |  | No assistant found with id 'asst_missing'.
            POST | /v1/assistants/asst_missing | `{}` | 404 |  |  | No assistant found with id 'asst_missing'.
            DELETE | /v1/assistants/asst_missing |  | 404 |  |  | No assistant found with id 'asst_missing'.
            GET | /v1/assistants/asst.x |  | 404 |  |  | No assistant found with id 'asst.x'.
            PUT | /v1/assistants |  | 405 |  | method_not_allowed | 405 method not allowed: PUT /v1/assistants
            POST | /v1/assistants/{A} | `{"model":"nope"}` | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/threads | `{"messages":{}}` | 400 | messages |  | invalid value for "messages": expected an array, got an object
            POST | /v1/threads | `{"messages":[{"role":"system","content":"x"}]}` | 400 | messages[0].role |  | invalid value for "messages[0].role": expected "user" or "assistant", got "system"
            POST | /v1/threads | `{"messages":[{"role":"user"}]}` | 400 | messages[0].content |  | "messages[0].content" is required
            POST | /v1/threads | `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:,"}}]}]}` | 400 | messages[0].content[0] |  | image content parts are not taken by the Assistants API yet; /v1/chat/completions takes images (image_url)
            POST | /v1/threads | `{"messages":[{"role":"user","content":[{"type":"audio"}]}]}` | 400 | messages[0].content[0].type |  | invalid value for "messages[0].content[0].type": expected "text", "image_url" or "image_file", got "audio"
            POST | /v1/threads | `{"messages":[{"role":"user","content":"x","attachments":[{"file_id":"file_1"}]}]}` | 400 | messages[0].attachments |  | "messages[0].attachments" are not supported: they need the files API and the file_search or code_interpreter tools, which this server does not provide
            POST | /v1/threads | `{"messages":[{"role":"user","content":"x","colour":1}]}` | 400 | messages[0].colour |  | Unrecognized request argument supplied: messages[0].colour
            GET | /v1/threads/thread_missing |  | 404 |  |  | No thread found with id 'thread_missing'.
            POST | /v1/threads/thread_missing | `{}` | 404 |  |  | No thread found with id 'thread_missing'.
            DELETE | /v1/threads/thread_missing |  | 404 |  |  | No thread found with id 'thread_missing'.
            POST | /v1/threads/{T2} | `{"metadata":"x"}` | 400 | metadata |  | invalid value for "metadata": expected an object of string values, got a string ("x")
            POST | /v1/threads/{T1}/messages | `{"role":"user","content":"x"}` | 400 |  |  | Can't add messages to {T1} while a run {R1} is active.
            POST | /v1/threads/{T2}/messages | `{"role":"tool","content":"x"}` | 400 | role |  | invalid value for "role": expected "user" or "assistant", got "tool"
            POST | /v1/threads/{T2}/messages | `{"role":"user","content":[]}` | 400 | content |  | "content" must contain at least one content part
            POST | /v1/threads/{T2}/messages | `{"role":"user","content":true}` | 400 | content |  | invalid value for "content": expected a string or an array of content parts, got a boolean (true)
            POST | /v1/threads/thread_missing/messages | `{"role":"user","content":"x"}` | 404 |  |  | No thread found with id 'thread_missing'.
            GET | /v1/threads/{T2}/messages?run_id=bad%20id |  | 400 | run_id |  | invalid value for "run_id": expected a run id
            GET | /v1/threads/{T2}/messages/msg_missing |  | 404 |  |  | No message found with id 'msg_missing'.
            POST | /v1/threads/{T2}/messages/msg_missing | `{"metadata":{}}` | 404 |  |  | No message found with id 'msg_missing'.
            DELETE | /v1/threads/{T2}/messages/msg_missing |  | 404 |  |  | No message found with id 'msg_missing'.
            POST | /v1/threads/{T2}/runs | `{}` | 400 | assistant_id |  | "assistant_id" is required
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"asst_missing"}` | 404 |  |  | No assistant found with id 'asst_missing'.
            POST | /v1/threads/{T1}/runs | `{"assistant_id":"{A}"}` | 400 |  |  | Thread {T1} already has an active run {R1}.
            POST | /v1/threads/thread_missing/runs | `{"assistant_id":"{A}"}` | 404 |  |  | No thread found with id 'thread_missing'.
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","model":"nope"}` | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","truncation_strategy":{"type":"last_messages"}}` | 400 | truncation_strategy.last_messages |  | "truncation_strategy.last_messages" must be a whole number of at least 1 for type last_messages
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","truncation_strategy":{"type":"middle"}}` | 400 | truncation_strategy.type |  | invalid value for "truncation_strategy.type": expected "auto" or "last_messages", got "middle"
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","tool_choice":{"type":"function","function":{"name":"nope"}}}` | 400 | tool_choice |  | "tool_choice" names the function 'nope', which is not among the tools
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","tool_choice":{"type":"file_search"}}` | 400 | tool_choice |  | "tool_choice" forces the file_search tool, which this server does not support
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","tool_choice":"always"}` | 400 | tool_choice |  | tool_choice: must be "auto", "none", "required" or a function, not "always"
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","max_completion_tokens":0}` | 400 | max_completion_tokens |  | "max_completion_tokens" must be at least 1, got 0
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","stream":"yes"}` | 400 | stream |  | invalid value for "stream": expected a boolean, got a string ("yes")
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","tool_choice":"required","response_format":{"type":"json_object"}}` | 400 | response_format |  | "response_format" cannot be combined with a "tool_choice" that forces tool calls: both would constrain the same output
            POST | /v1/threads/{T2}/runs | `{"assistant_id":"{A}","additional_messages":[{"role":"user"}]}` | 400 | additional_messages[0].content |  | "additional_messages[0].content" is required
            POST | /v1/threads/{T2}/runs?include[]=everything | `{"assistant_id":"{A}"}` | 400 | include |  | invalid value for "include": expected "step_details.tool_calls[*].file_search.results[*].content", got "everything"
            POST | /v1/threads/runs | `{"assistant_id":"{A}","thread":{"messages":[{"role":"user","content":5}]}}` | 400 | thread.messages[0].content |  | invalid value for "thread.messages[0].content": expected a string or an array of content parts, got a number (5)
            POST | /v1/threads/runs | `{"assistant_id":"{A}","additional_instructions":"x"}` | 400 | additional_instructions |  | Unrecognized request argument supplied: additional_instructions
            GET | /v1/threads/{T2}/runs/run_missing |  | 404 |  |  | No run found with id 'run_missing'.
            POST | /v1/threads/{T2}/runs/run_missing | `{"metadata":{}}` | 404 |  |  | No run found with id 'run_missing'.
            POST | /v1/threads/{T2}/runs/{R1}/cancel |  | 404 |  |  | No run found with id '{R1}'.
            POST | /v1/threads/{T3}/runs/{R3}/cancel |  | 400 |  |  | Cannot cancel run with status 'completed'.
            POST | /v1/threads/{T1}/runs/{R1}/submit_tool_outputs | `{}` | 400 | tool_outputs |  | "tool_outputs" is required
            POST | /v1/threads/{T1}/runs/{R1}/submit_tool_outputs | `{"tool_outputs":[{"tool_call_id":"call_x","output":"y"}]}` | 400 | tool_outputs |  | Expected tool outputs for call_ids [{CALL}], got [call_x].
            POST | /v1/threads/{T1}/runs/{R1}/submit_tool_outputs | `{"tool_outputs":[{"tool_call_id":"{CALL}"}]}` | 400 | tool_outputs[0].output |  | "tool_outputs[0].output" is required
            POST | /v1/threads/{T1}/runs/{R1}/submit_tool_outputs | `{"tool_outputs":[{"tool_call_id":"{CALL}","output":"a"},{"tool_call_id":"{CALL}","output":"b"}]}` | 400 | tool_outputs[1].tool_call_id |  | tool call '{CALL}' has two outputs
            POST | /v1/threads/{T3}/runs/{R3}/submit_tool_outputs | `{"tool_outputs":[]}` | 400 |  |  | Runs in status "completed" do not accept tool outputs.
            GET | /v1/threads/{T1}/runs/{R1}/steps?limit=500 |  | 400 | limit |  | "limit" must be between 1 and 100, got 500
            GET | /v1/threads/{T1}/runs/{R1}/steps/step_missing |  | 404 |  |  | No run step found with id 'step_missing'.
            GET | /v1/threads/{T1}/runs/run_missing/steps |  | 404 |  |  | No run found with id 'run_missing'.
            POST | /v1/responses | `{}` | 400 | model |  | "model" is required
            POST | /v1/responses | `{"model":"scripted"}` | 400 | input |  | "input" is required
            POST | /v1/responses | `{"model":"nope","input":"x"}` | 404 | model | model_not_found | model 'nope' not found
            POST | /v1/responses | `{"model":"scripted","input":5}` | 400 | input |  | invalid value for "input": expected a string or an array of items, got a number (5)
            POST | /v1/responses | `{"model":"scripted","input":[{"role":"robot","content":"x"}]}` | 400 | input[0].role |  | invalid value for "input[0].role": expected "user", "assistant", "system" or "developer", got "robot"
            POST | /v1/responses | `{"model":"scripted","input":[{"type":"web_search_call"}]}` | 400 | input[0].type |  | items of type "web_search_call" are not supported: this server runs function tools only (message, function_call, function_call_output, item_reference, reasoning)
            POST | /v1/responses | `{"model":"scripted","input":[{"type":"function_call_output","call_id":"c"}]}` | 400 | input[0].output |  | "input[0].output" is required: a string
            POST | /v1/responses | `{"model":"scripted","input":[{"type":"item_reference","id":"msg_nope"}]}` | 400 | input[0].id |  | item 'msg_nope' referenced by "input[0]" is not in this response's history
            POST | /v1/responses | `{"model":"scripted","input":[{"role":"user","content":[{"type":"input_image","image_url":"data:,"}]}]}` | 400 | input[0].content[0] |  | image inputs are not taken by the Responses API yet; /v1/chat/completions takes images (input_image)
            POST | /v1/responses | `{"model":"scripted","input":"x","tools":[{"type":"web_search"}]}` | 400 | tools[0].type |  | the web_search tool is not supported by this server: it runs function tools only
            POST | /v1/responses | `{"model":"scripted","input":"x","previous_response_id":"resp_missing"}` | 400 | previous_response_id | previous_response_not_found | Previous response with id 'resp_missing' not found.
            POST | /v1/responses | `{"model":"scripted","input":"x","previous_response_id":"{RESP}","conversation":"{CONV}"}` | 400 | conversation |  | "previous_response_id" and "conversation" cannot be used together
            POST | /v1/responses | `{"model":"scripted","input":"x","conversation":"conv_missing"}` | 404 |  |  | Conversation with id 'conv_missing' not found.
            POST | /v1/responses | `{"model":"scripted","input":"x","background":true,"store":false}` | 400 | background |  | background responses must be stored: "background" needs "store" true
            POST | /v1/responses | `{"model":"scripted","input":"x","text":{"format":{"type":"json_schema","name":"x"}}}` | 400 | text.format.schema |  | "text.format.schema" is required
            POST | /v1/responses | `{"model":"scripted","input":"x","text":{"format":{"type":"yaml"}}}` | 400 | text.format.type |  | invalid value for "text.format.type": expected "text", "json_object" or "json_schema", got "yaml"
            POST | /v1/responses | `{"model":"scripted","input":"x","top_logprobs":3}` | 400 | top_logprobs |  | "top_logprobs" is not supported on /v1/responses
            POST | /v1/responses | `{"model":"scripted","input":"x","truncation":"sometimes"}` | 400 | truncation |  | invalid value for "truncation": expected "auto" or "disabled", got "sometimes"
            POST | /v1/responses | `{"model":"scripted","input":"x","max_output_tokens":0}` | 400 | max_output_tokens |  | "max_output_tokens" must be at least 1, got 0
            POST | /v1/responses | `{"model":"scripted","input":"x","tool_choice":"required"}` | 400 | tool_choice |  | "tool_choice" requires a tool call, but there are no tools
            POST | /v1/responses | `{"model":"scripted","input":"x","prompt":{"id":"p"}}` | 400 | prompt |  | stored prompts ("prompt") are not supported: send "instructions" and "input"
            POST | /v1/responses | `{"model":"scripted","input":"x","temperatur":1}` | 400 | temperatur |  | Unrecognized request argument supplied: temperatur
            GET | /v1/responses/resp_missing |  | 404 |  |  | Response with id 'resp_missing' not found.
            DELETE | /v1/responses/resp_missing |  | 404 |  |  | Response with id 'resp_missing' not found.
            POST | /v1/responses/resp_missing/cancel |  | 404 |  |  | Response with id 'resp_missing' not found.
            POST | /v1/responses/{RESP}/cancel |  | 400 |  |  | Only responses created with background=true can be cancelled.
            GET | /v1/responses/{RESP}/input_items?order=sideways |  | 400 | order |  | invalid value for "order": expected 'asc' or 'desc', got 'sideways'
            GET | /v1/responses/resp_missing/input_items |  | 404 |  |  | Response with id 'resp_missing' not found.
            POST | /v1/conversations | `{"items":5}` | 400 | items |  | invalid value for "items": expected an array, got a number (5)
            POST | /v1/conversations | `{"metadata":{"a":1}}` | 400 | metadata |  | invalid value for "metadata.a": expected a string, got a number (1)
            POST | /v1/conversations | `{"items":[{"role":"user"}]}` | 400 | items[0].content |  | "items[0].content" is required
            GET | /v1/conversations/conv_missing |  | 404 |  |  | Conversation with id 'conv_missing' not found.
            DELETE | /v1/conversations/conv_missing |  | 404 |  |  | Conversation with id 'conv_missing' not found.
            POST | /v1/conversations/{CONV} | `{}` | 400 | metadata |  | "metadata" is required
            POST | /v1/conversations/{CONV}/items | `{}` | 400 | items |  | "items" is required
            POST | /v1/conversations/conv_missing/items | `{"items":[]}` | 404 |  |  | Conversation with id 'conv_missing' not found.
            GET | /v1/conversations/{CONV}/items/item_missing |  | 404 |  |  | Item with id 'item_missing' not found.
            DELETE | /v1/conversations/{CONV}/items/item_missing |  | 404 |  |  | Item with id 'item_missing' not found.
            GET | /v1/conversations/{CONV}/items?limit=0 |  | 400 | limit |  | "limit" must be between 1 and 100, got 0
            GET | /threads/thread_missing |  | 404 |  |  | No thread found with id 'thread_missing'.
            GET | /assistants?limit=0 |  | 400 | limit |  | "limit" must be between 1 and 100, got 0
            POST | /responses | `{}` | 400 | model |  | "model" is required
            """)
    void badInputGetsOpenAisError(String method, String path, String body, int status, String param, String code,
                                  String message) {
        Http.Response r = server.http().method(method, fill(path), fill(body));
        assertEquals(status, r.status(), r.body());
        assertEquals(OpenAiRoutesTest.error(fill(message), status >= 500 ? "server_error" : "invalid_request_error",
                param, code), r.json());
        if (method.equals("POST")) {
            assertFalse(r.raw().headers().firstValue("x-should-retry").isPresent(), "only 5xx say not to retry");
        }
    }

    @Test
    void metadataIsLimitedAsOpenAiLimitsIt() {
        StringBuilder seventeen = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            seventeen.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        seventeen.append('}');
        Http.Response tooMany = server.http().post("/v1/threads", "{\"metadata\":" + seventeen + "}");
        assertEquals(400, tooMany.status());
        assertEquals("\"metadata\" may hold at most 16 pairs, got 17", tooMany.json().get("error").get("message")
                .asText());
        String sixteen = seventeen.toString().replace(",\"k16\":\"v\"", "");
        assertEquals(200, server.http().post("/v1/threads", "{\"metadata\":" + sixteen + "}").status());

        Http.Response longKey = server.http().post("/v1/threads", "{\"metadata\":{\"" + "k".repeat(65) + "\":\"v\"}}");
        assertEquals("keys of \"metadata\" may be at most 64 characters long, got one of 65",
                longKey.json().get("error").get("message").asText());
        assertEquals(200, server.http().post("/v1/threads", "{\"metadata\":{\"" + "k".repeat(64) + "\":\"v\"}}")
                .status());
        Http.Response longValue = server.http().post("/v1/threads", "{\"metadata\":{\"k\":\"" + "v".repeat(513)
                + "\"}}");
        assertEquals("values of \"metadata\" may be at most 512 characters long, got one of 513 for key 'k'",
                longValue.json().get("error").get("message").asText());
        assertEquals(200, server.http().post("/v1/threads", "{\"metadata\":{\"k\":\"" + "v".repeat(512) + "\"}}")
                .status());
    }

    @Test
    void listsPageAsOpenAiPages() {
        String t = server.http().post("/v1/threads", "{}").json().get("id").asText();
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            made.add(server.http().post("/v1/threads/" + t + "/messages", "{\"role\":\"user\",\"content\":\"m" + i
                    + "\"}").json().get("id").asText());
        }
        String base = "/v1/threads/" + t + "/messages";
        assertPage(base, List.of(made.get(4), made.get(3), made.get(2), made.get(1), made.get(0)), false);
        assertPage(base + "?limit=2", List.of(made.get(4), made.get(3)), true);
        assertPage(base + "?limit=2&after=" + made.get(3), List.of(made.get(2), made.get(1)), true);
        assertPage(base + "?limit=2&after=" + made.get(1), List.of(made.get(0)), false);
        assertPage(base + "?order=asc&limit=3", List.of(made.get(0), made.get(1), made.get(2)), true);
        assertPage(base + "?order=asc&after=" + made.get(2), List.of(made.get(3), made.get(4)), false);
        assertPage(base + "?order=asc&before=" + made.get(3) + "&limit=2", List.of(made.get(1), made.get(2)), true);
        assertPage(base + "?before=" + made.get(0), List.of(made.get(4), made.get(3), made.get(2), made.get(1)), false);
        assertPage(base + "?after=" + made.get(0), List.of(), false);
        JsonNode empty = server.http().get(base + "?after=" + made.get(0)).json();
        assertTrue(empty.get("first_id").isNull() && empty.get("last_id").isNull());
    }

    private void assertPage(String path, List<String> expected, boolean hasMore) {
        JsonNode page = server.http().get(path).json();
        assertEquals("list", page.get("object").asText());
        List<String> got = new ArrayList<>();
        page.get("data").forEach(m -> got.add(m.get("id").asText()));
        assertEquals(expected, got, path);
        assertEquals(hasMore, page.get("has_more").asBoolean(), path);
        if (!expected.isEmpty()) {
            assertEquals(expected.getFirst(), page.get("first_id").asText());
            assertEquals(expected.getLast(), page.get("last_id").asText());
        }
    }
}
