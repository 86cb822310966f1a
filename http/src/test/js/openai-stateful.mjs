// Drives Puna's stateful APIs with the official OpenAI JavaScript client and its helpers (createAndPoll, the
// AssistantStream's strict event checks and finalRun, submitToolOutputsAndPoll, the cursor pagers, the
// ResponseStream's checks and finalResponse), for OpenAiJsClientTest.
// Usage: node openai-stateful.mjs <server url>
// Prints one JSON object with what each step returned; the Java test asserts on it.
import OpenAI from 'openai'

const [base] = process.argv.slice(2)
// No retries: the test must see the first answer.
const client = new OpenAI({ baseURL: base + '/v1', apiKey: 'unused', maxRetries: 0 })
const out = {}
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 8 } }, required: ['city'] }
  }
}
const textOf = (m) => m.content.map((c) => c.text.value).join('')

const assistant = await client.beta.assistants.create({ model: 'scripted', temperature: 0, tools: [weather] })
out.assistant = { id: assistant.id, model: assistant.model }

// A polled run: the poller follows openai-poll-after-ms instead of waiting 5 s a poll.
let started = Date.now()
const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello' }] })
const polled = await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id, tool_choice: 'none' })
out.polled = { status: polled.status, usage: polled.usage, millis: Date.now() - started }
out.polledMessages = (await client.beta.threads.messages.list(thread.id, { order: 'asc' })).data.map(textOf)

// A streamed run through the AssistantStream helper, which throws on any event out of its rules.
await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'Again' })
const events = []
let text = ''
const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id, tool_choice: 'none' })
  .on('event', (e) => events.push(e.event))
  .on('textDelta', (delta) => { text += delta.value })
const finalRun = await stream.finalRun()
const finalMessages = await stream.finalMessages()
out.streamed = { events, text, status: finalRun.status, messages: finalMessages.map(textOf) }

// The tool loop, polled: requires_action, then the outputs, then the answer.
const toolThread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Oslo?' }] })
const waiting = await client.beta.threads.runs.createAndPoll(toolThread.id, {
  assistant_id: assistant.id, parallel_tool_calls: false,
  tool_choice: { type: 'function', function: { name: 'get_weather' } }
})
const calls = waiting.required_action.submit_tool_outputs.tool_calls
out.toolCalls = calls.map((c) => ({ name: c.function.name, arguments: JSON.parse(c.function.arguments) }))
out.waitingStatus = waiting.status
const answered = await client.beta.threads.runs.submitToolOutputsAndPoll(waiting.id, {
  thread_id: toolThread.id, tool_outputs: calls.map((c) => ({ tool_call_id: c.id, output: 'sunny' }))
})
out.answered = { status: answered.status }
out.toolAnswer = textOf((await client.beta.threads.messages.list(toolThread.id)).data[0])

// The tool loop, streamed: the call's deltas merge into one call (its id and name only once).
const streamedToolThread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather?' }] })
const toolStream = client.beta.threads.runs.stream(streamedToolThread.id, {
  assistant_id: assistant.id, parallel_tool_calls: false, tool_choice: 'required'
})
const doneCalls = []
toolStream.on('toolCallDone', (call) => doneCalls.push(call))
const requires = await toolStream.finalRun()
out.streamedTool = {
  status: requires.status,
  calls: doneCalls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
  required: requires.required_action.submit_tool_outputs.tool_calls.map((c) => ({ id: c.id,
    arguments: c.function.arguments }))
}
const outputsStream = client.beta.threads.runs.submitToolOutputsStream(requires.id, {
  thread_id: streamedToolThread.id, tool_outputs: doneCalls.map((c) => ({ tool_call_id: c.id, output: 'rain' }))
})
out.streamedToolEnd = (await outputsStream.finalRun()).status

// Paging one by one with the cursor pager: every message, newest first, each once.
const paged = []
for await (const m of client.beta.threads.messages.list(thread.id, { limit: 1 })) {
  paged.push(textOf(m))
}
out.paged = paged

// Errors as the SDK types them.
try {
  await client.beta.threads.retrieve('thread_missing')
} catch (e) {
  out.notFound = { status: e.status, message: e.message, type: e.constructor.name }
}

// Responses: a chain, a stream through the ResponseStream helper, a conversation.
const first = await client.responses.create({ model: 'scripted', input: 'Hello', temperature: 0 })
const second = await client.responses.create({ model: 'scripted', input: 'Again', temperature: 0,
  previous_response_id: first.id })
out.responses = { first: first.output_text, second: second.output_text, status: second.status,
  cached: second.usage.input_tokens_details.cached_tokens, firstInput: first.usage.input_tokens }
const rstream = client.responses.stream({ model: 'scripted', input: 'Hello', temperature: 0 })
const types = []
rstream.on('event', (e) => types.push(e.type))
const final = await rstream.finalResponse()
out.responseStream = { types, text: final.output_text, status: final.status }
const conversation = await client.conversations.create({ items: [{ role: 'user', content: 'Hi' }] })
await client.responses.create({ model: 'scripted', input: 'Hello', temperature: 0, conversation: conversation.id })
const items = []
for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 1 })) {
  items.push(item.role + ':' + item.content.map((c) => c.text).join(''))
}
out.conversation = items
try {
  await client.responses.create({ model: 'scripted', input: 'x', previous_response_id: 'resp_missing' })
} catch (e) {
  out.previousMissing = { status: e.status, code: e.code }
}

console.log(JSON.stringify(out))
