// Images through the official Ollama and OpenAI JavaScript clients, for VisionClientsTest.
// Usage: node vision.mjs <server url> <png file> <another png file>
// Prints one JSON object with what each call returned; the Java test asserts on it.
import { readFileSync } from 'node:fs'
import { Ollama } from 'ollama'
import OpenAI from 'openai'

const [host, first, second] = process.argv.slice(2)
const a = new Uint8Array(readFileSync(first))
const b = readFileSync(second).toString('base64')
const ollama = new Ollama({ host })
const openai = new OpenAI({ baseURL: host + '/v1', apiKey: 'unused', maxRetries: 0 })
const out = {}
const look = async (image) => (await ollama.generate({
  model: 'looking', prompt: 'Hello', raw: true, images: [image], stream: false, options: { num_predict: 8 },
})).response
out.showCapabilities = (await ollama.show({ model: 'seeing' })).capabilities
out.lookA = await look(a)
out.lookAagain = await look(a)
out.lookB = await look(b)
const chat = await ollama.chat({ model: 'seeing', messages: [{ role: 'user', content: 'Hello', images: [a] }] })
out.chat = chat.message.content
const streamed = []
for await (const part of await ollama.chat({
  model: 'seeing', stream: true, messages: [{ role: 'user', content: 'Hello', images: [b] }],
})) {
  streamed.push(part.message.content)
}
out.chatStreamed = streamed.join('')
const url = (bytes) => 'data:image/png;base64,' + Buffer.from(bytes).toString('base64')
const completion = async (images) => openai.chat.completions.create({
  model: 'seeing',
  messages: [{
    role: 'user',
    content: [...images.map((i) => ({ type: 'image_url', image_url: { url: url(i) } })), { type: 'text', text: 'Hello' }],
  }],
})
const one = await completion([a])
const two = await completion([a, Buffer.from(b, 'base64')])
out.openaiContent = one.choices[0].message.content
out.openaiPromptTokensOne = one.usage.prompt_tokens
out.openaiPromptTokensTwo = two.usage.prompt_tokens
try {
  await openai.chat.completions.create({
    model: 'seeing',
    messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/x.png' } }] }],
  })
  out.remote = null
} catch (e) {
  out.remote = { status: e.status, message: e.error?.message }
}
process.stdout.write(JSON.stringify(out))
