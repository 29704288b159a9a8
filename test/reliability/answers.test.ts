// No single answer may eat the memory, and no stored refund is answered 5xx. An indented answer can be hundreds of
// times its compact size (metadata 880 levels deep with indent=8: 125 KB become 430 MB, past what one JavaScript
// string can hold), and an export is as large as the data: both are written a piece at a time as the socket takes
// them. A real server's resident memory (from /proc, generous margins, not a timing) stays near idle while they
// stream, the health check keeps answering, and the text is byte for byte what the whole-string renderer writes.
import { createHash } from 'node:crypto'
import { request } from 'node:http'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { startServer } from '../process.js'
import { build, createPayment, postRefund } from '../helper.js'
import { dumps, loads } from '../../src/python/json.js'
import { EmulatorClock, parseInstant } from '../../src/clock.js'

const MiB = 1024 * 1024
/** How far above idle the server may go while it streams an answer (the whole-string renderer: +1.2 GB and more). */
const STREAMING = 200 * MiB
const CLOCK = '2026-01-01T00:00:00Z'
const HEADERS = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }

const mb = (bytes: number): number => Math.round(bytes / 1e6)

function rss (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('VmRSS:')) ?? ''
  return Number(/(\d+)/.exec(line)?.[1] ?? NaN) * 1024
}

/** A refund body whose metadata nests `levels` deep around a list of `leaves` small ints (~2 bytes each). */
function deepRefund (levels: number, leaves: number, receipt: string): string {
  let inner = `[${Array.from({ length: leaves }, (_, i) => i % 10).join(',')}]`
  for (let i = 0; i < levels; i++) inner = `{"a":${inner}}`
  return `{"payment":7,"amount":1,"reason":"duplicate","receipt":"${receipt}","metadata":${inner}}`
}

/** GET /__admin/health on a connection of its own (the test's own event loop blocks for seconds at a time). */
const health = (url: string): Promise<number> => new Promise((resolve, reject) => {
  request(`${url}/__admin/health`, { agent: false }, res => { res.resume(); resolve(res.statusCode as number) }).on('error', reject).end()
})

interface Streamed { status: number, headers: Record<string, string | string[] | undefined>, bytes: number, sha256: string, head: string }

/**
 * Sends a request and reads its answer slowly (a pause every MiB), hashing it rather than keeping it; meanwhile the
 * health check is asked again and again, and the server's RSS sampled.
 */
async function streamed (url: string, pid: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Streamed & { peak: number, healthy: number }> {
  let peak = rss(pid)
  let healthy = 0
  const state = { done: false }
  const watch = (async () => {
    while (!state.done) {
      peak = Math.max(peak, rss(pid))
      if (await health(url) === 200 && !state.done) healthy++
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  })()
  const answer = await new Promise<Streamed>((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, res => {
      const hash = createHash('sha256')
      let bytes = 0
      let head = ''
      let sinceSleep = 0
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk)
        if (head.length < 200) head += chunk.toString('utf8', 0, 200)
        bytes += chunk.length
        sinceSleep += chunk.length
        if (sinceSleep >= MiB) {
          sinceSleep = 0
          res.pause()
          setTimeout(() => res.resume(), 10)
        }
      })
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, bytes, sha256: hash.digest('hex'), head: head.slice(0, 200) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
  state.done = true
  await watch
  return { ...answer, peak, healthy }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')

t.test('an indented answer of 430 MB streams in bounded memory; a 100,000-leaf one is stored and answered 201', { skip: process.platform !== 'linux' && 'reads /proc' }, async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', CLOCK, LOG_LEVEL: 'warn' }, { bundle: true })
  const pid = server.child.pid as number
  await fetch(`${server.url}/__admin/payments`, { method: 'POST', headers: HEADERS, body: '{"id":7,"amount":1000}' })
  await fetch(`${server.url}/__admin/health`)
  const idle = rss(pid)
  const body = deepRefund(880, 60_000, 'R-1')
  const answer = await streamed(server.url, pid, 'POST', '/refunds/', { ...HEADERS, accept: 'application/json; indent=8' }, body)
  t.equal(answer.status, 201)
  t.equal(answer.headers['content-type'], 'application/json')
  t.equal(Number(answer.headers['content-length']), answer.bytes, 'the Content-Length is the length of what came')
  t.ok(answer.bytes > 400_000_000, `${mb(answer.bytes)} MB`)
  t.match(answer.head, /^\{\n {8}"id": "ref_/)
  t.ok(answer.peak - idle < STREAMING, `RSS ${mb(idle)} MB idle, at most ${mb(answer.peak)} MB while ${mb(answer.bytes)} MB streamed`)
  t.ok(answer.healthy >= 3, `the health check answered ${answer.healthy} times while it streamed`)

  // byte for byte what the whole-string renderer writes for the same refund (an emulator with the same clock
  // gives it the same id): compact from a fresh app, then indented with json.ts's dumps
  const { app } = await build(t, { clock: new EmulatorClock(parseInstant(CLOCK)) })
  await createPayment(app, { id: 7, amount: 1000 })
  const compact = await postRefund(app, body)
  t.equal(compact.statusCode, 201)
  t.equal(answer.sha256, sha256(dumps(loads(compact.body), 8)), 'the same text, byte for byte')

  // 100,000 leaves: past what one string can hold once indented — the refund is stored and answered, never a 500
  const larger = await streamed(server.url, pid, 'POST', '/refunds/', { ...HEADERS, accept: 'application/json; indent=8' }, deepRefund(880, 100_000, 'R-2'))
  t.equal(larger.status, 201)
  t.ok(larger.bytes > 700_000_000, `${mb(larger.bytes)} MB, more than a JavaScript string may hold`)
  t.ok(larger.peak - idle < STREAMING, `at most ${mb(larger.peak)} MB`)
  const payment = await (await fetch(`${server.url}/__admin/payments/7`, { headers: HEADERS })).json() as { refunds: Array<{ receipt: string }> }
  t.strictSame(payment.refunds.map(r => r.receipt), ['R-1', 'R-2'])
  t.equal(await server.stop(), 0)
})

t.test('a large export streams too, and a snapshot of any size the export makes restores', { skip: process.platform !== 'linux' && 'reads /proc' }, async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' }, { bundle: true })
  const pid = server.child.pid as number
  // 300 refunds with 200 KB of metadata each: 60 MB of data, exported as one document
  const payments = Array.from({ length: 100 }, (_, i) => ({ workspace: 'acc_1', id: i + 1, amount: 1000 }))
  t.equal((await fetch(`${server.url}/__admin/snapshot`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ payments }) })).status, 200)
  const metadata = JSON.stringify(Object.fromEntries(Array.from({ length: 2000 }, (_, k) => [`k${k}`, 'v'.repeat(90)])))
  for (let i = 0; i < 300; i += 10) {
    const statuses = await Promise.all(Array.from({ length: 10 }, (_, k) => fetch(`${server.url}/refunds/`, {
      method: 'POST',
      headers: HEADERS,
      body: `{"payment":${((i + k) % 100) + 1},"amount":1,"reason":"duplicate","receipt":"R-${i + k}","metadata":${metadata}}`
    }).then(async r => { await r.arrayBuffer(); return r.status })))
    t.strictSame([...new Set(statuses)], [201])
  }
  await fetch(`${server.url}/__admin/health`)
  const idle = rss(pid)
  for (const accept of ['application/json', 'application/json; indent=8']) {
    const answer = await streamed(server.url, pid, 'GET', '/__admin/snapshot', { ...HEADERS, accept })
    t.equal(answer.status, 200)
    t.ok(answer.bytes > 60_000_000, `${mb(answer.bytes)} MB (${accept})`)
    t.ok(answer.peak - idle < STREAMING, `RSS ${mb(idle)} MB idle, at most ${mb(answer.peak)} MB while the export streamed`)
    t.ok(answer.healthy >= 2, `the health check answered ${answer.healthy} times meanwhile`)
  }
  // the export restores, and exports again the same, byte for byte
  const exported = await (await fetch(`${server.url}/__admin/snapshot`, { headers: HEADERS })).text()
  const restored = await fetch(`${server.url}/__admin/snapshot`, { method: 'POST', headers: HEADERS, body: exported })
  t.equal(restored.status, 200, await restored.clone().text())
  t.match(await restored.json(), { imported: { payments: 100, refunds: 300 } })
  t.equal(sha256(await (await fetch(`${server.url}/__admin/snapshot`, { headers: HEADERS })).text()), sha256(exported), 'an exact round trip')
  t.equal(await server.stop(), 0)
})

t.test('a client that leaves in the middle of a streamed answer: the rest is never made, the server goes on', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 1000 })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const port = Number(new URL(url).port)
  const body = deepRefund(40, 100_000, 'R-1')
  const first = await new Promise<{ status: number, bytes: number, length: number }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/refunds/', method: 'POST', headers: { ...HEADERS, accept: 'application/json; indent=8' } }, res => {
      res.once('data', (chunk: Buffer) => {
        resolve({ status: res.statusCode as number, bytes: chunk.length, length: Number(res.headers['content-length']) })
        req.destroy()
      })
    })
    req.on('error', err => { if (!req.destroyed) reject(err) })
    req.end(body)
  })
  t.equal(first.status, 201)
  t.ok(first.length > 10 * MiB && first.bytes < first.length, `left after ${first.bytes} of ${first.length} bytes`)
  t.equal((await fetch(`${url}/__admin/health`)).status, 200)
  t.equal((await fetch(`${url}/__admin/payments/7`, { headers: HEADERS }).then(async r => await r.json() as { refunds: unknown[] })).refunds.length, 1, 'the refund was stored')
})
