// The journal is bounded in bytes: once it is full, many times JOURNAL_MAX_BYTES more of large headers and
// bodies, at the largest JOURNAL_SIZE, leave a real server's resident memory where it was, and reading the whole
// journal back builds no answer larger than the budget. RSS comes from /proc, compared with generous margins
// (not a timing); the requests are 400s, so nothing is stored and only the journal could grow.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { startServer } from '../process.js'

const MiB = 1024 * 1024
const BUDGET = 16 * MiB // the default JOURNAL_MAX_BYTES
const FILL = 1000 // ~17 KB kept of each: more than the budget holds
const MORE = 8000 // ~240 MB more sent
// Evicted entries are garbage that piles up between full collections, so the RSS of a bounded journal is a sawtooth
// (here ~115 → ~190 MB, back to ~140 MB after a collection, every ~3,500 requests): the test compares the
// sawtooth's halves (no upward trend) and its floor (what stays) with idle. An unbounded journal fails both by
// far (before JOURNAL_MAX_BYTES, the same run: 249 MB at most in the first half, 368 MB in the second, floor 257 MB).
const TREND = 48 * MiB
const NEAR_IDLE = 80 * MiB
const READ_BACK = 128 * MiB

const mb = (bytes: number): number => Math.round(bytes / MiB)

function rss (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find(l => l.startsWith('VmRSS:')) ?? ''
  return Number(/(\d+)/.exec(line)?.[1] ?? NaN) * 1024
}

t.test('a full journal stays at its budget however much more arrives', { skip: process.platform !== 'linux' && 'reads /proc' }, async t => {
  // the built server, as npm start runs it: tap's TypeScript loader and coverage would weigh more than the journal
  const server = await startServer(t, { DATABASE_PATH: ':memory:', JOURNAL_SIZE: '100000', LOG_LEVEL: 'warn' }, { bundle: true })
  const pid = server.child.pid as number
  const headers = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
  await fetch(`${server.url}/__admin/payments`, { method: 'POST', headers, body: '{"id":7,"amount":10000000}' })
  // a 14 KB header and a 17 KB body; a receipt over 256 characters is answered 400 and stored nowhere
  const send = (i: number, big: boolean): Promise<number> => fetch(`${server.url}/refunds/`, {
    method: 'POST',
    headers: big ? { ...headers, 'x-padding': 'h'.repeat(14_000) } : headers,
    body: JSON.stringify({ payment: 7, amount: 1, reason: 'duplicate', receipt: big ? `R-${i}-${'r'.repeat(17_000)}` : 'R' })
  }).then(async r => { await r.arrayBuffer(); return r.status })
  const burst = async (from: number, n: number, big: boolean): Promise<Set<number>> => {
    const statuses = new Set<number>()
    for (let i = from; i < from + n; i += 10) {
      for (const status of await Promise.all(Array.from({ length: 10 }, (_, k) => send(i + k, big)))) statuses.add(status)
    }
    return statuses
  }
  await burst(0, 200, false)
  const idle = rss(pid)
  t.strictSame([...await burst(0, FILL, true)], [400])
  const full = rss(pid)
  const samples: number[] = []
  for (let sent = 0; sent < MORE; sent += 250) {
    t.strictSame([...await burst(FILL + sent, 250, true)], [400])
    samples.push(rss(pid))
  }
  const half = samples.length / 2
  const [first, second] = [samples.slice(0, half), samples.slice(half)]
  t.ok(Math.max(...second) - Math.max(...first) < TREND,
    `no upward trend: at most ${mb(Math.max(...first))} MB in the first ${MORE / 2} requests, ${mb(Math.max(...second))} MB in the next`)
  const floor = Math.min(...second)
  t.ok(floor - idle < NEAR_IDLE, `near idle: ${mb(idle)} MB idle, ${mb(floor)} MB at the lowest after ${mb((FILL + MORE) * 31_000)} MB of requests`)

  // the whole journal, read back a page at a time
  let next: string | null = '/__admin/requests?limit=100000'
  let read = 0
  let pages = 0
  let largest = 0
  let count = 0
  while (next !== null) {
    const res = await fetch(`${server.url}${next}`)
    const text = await res.text()
    t.equal(res.status, 200)
    largest = Math.max(largest, Buffer.byteLength(text))
    const page = JSON.parse(text) as { count: number, next: string | null, results: unknown[] }
    read += page.results.length
    count = page.count
    next = page.next
    pages++
  }
  t.ok(largest <= BUDGET, `${pages} pages, the largest ${Math.round(largest / MiB * 10) / 10} MB`)
  t.equal(read, count, 'every entry read once')
  t.ok(count > 100 && count < FILL, `${count} entries kept`)
  const reading = rss(pid)
  t.ok(reading - idle < READ_BACK, `${mb(reading)} MB after reading it back`)
  t.comment(`RSS: idle ${mb(idle)} MB, journal full ${mb(full)} MB, then ${samples.map(mb).join(' ')} MB every 250 requests, after reading ${mb(reading)} MB; ${count} entries in ${pages} pages`)
})
