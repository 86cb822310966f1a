// Drives Puna's server with the official Ollama JavaScript client, for OllamaJsClientTest.
// Usage: node client.mjs <server url> <a model on a registry to pull, plain http>
// Prints one JSON object with what each call returned; the Java test asserts on it.
import { Ollama } from 'ollama'

const [host, remote] = process.argv.slice(2)
const ollama = new Ollama({ host })
const out = {}
const names = async () => (await ollama.list()).models.map((m) => m.name).sort()

async function failure(call) {
  try {
    await call()
    return null
  } catch (e) {
    return { name: e.name, status_code: e.status_code, error: e.error }
  }
}

out.list = (await ollama.list()).models
out.show = await ollama.show({ model: 'tiny' })
out.copy = await ollama.copy({ source: 'tiny', destination: 'tiny-copy' })
out.afterCopy = await names()
out.delete = await ollama.delete({ model: 'tiny-copy' })
out.afterDelete = await names()
out.pull = await ollama.pull({ model: remote, insecure: true })
const statuses = []
for await (const part of await ollama.pull({ model: remote, insecure: true, stream: true })) {
  statuses.push(part.status)
}
out.pullStream = statuses
out.afterPull = await names()
out.showMissing = await failure(() => ollama.show({ model: 'nope' }))
out.deleteMissing = await failure(() => ollama.delete({ model: 'nope' }))
out.copyInvalid = await failure(() => ollama.copy({ source: 'tiny', destination: '../escape' }))
process.stdout.write(JSON.stringify(out))
