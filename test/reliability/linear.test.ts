// No client input may cost more than linear time: a long run of whitespace between two letters, the first outside
// ASCII (V8's regular expressions backtrack on such strings), in every field that is stripped and in the workspace
// header, near the body and header limits. A quadratic strip takes minutes on these bodies and about 0.3 s per
// header, so it fails these tests by running out of their time (the file's, or the header test's) — no timed
// assertion. The server is a real process; while the requests are in flight, its health check must still answer.
import { request } from 'node:http'
import t from 'tap'
import { startServer } from '../process.js'

const BODY_ROOM = 1024 * 1024 - 200 // under the 1 MiB body limit, with room for the other fields
const HEADER_SPACES = 15_800 // under Node's 16 KiB of headers, with room for the others

interface Answer { status: number, body: string }

function send (url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** A header value as curl sends non-ASCII text: its UTF-8 bytes (Node writes header strings as latin-1). */
const rawUtf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')

t.test('long whitespace runs are answered as DRF answers them, and the server stays responsive', async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', API_TOKENS: 'tok_a', LOG_LEVEL: 'warn' })
  const created = await send(server.url, 'POST', '/__admin/payments', { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' },
    Buffer.from('{"id":7,"amount":100}'))
  t.equal(created.status, 201)
  const health = async (): Promise<number> => (await send(server.url, 'GET', '/__admin/health', {})).status
  const headers = { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }

  t.test('a workspace header of é, ~16 KiB of spaces and a: 200 requests', { timeout: 30_000 }, async t => {
    const workspace = rawUtf8(`é${' '.repeat(HEADER_SPACES)}a`)
    const answers: Answer[] = []
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 20 }, (_, i) => i % 2 === 0
        // without a token: the journal still reads the workspace (401)
        ? send(server.url, 'POST', '/refunds/', { 'x-simple-workspace': workspace, 'content-type': 'application/json' }, Buffer.from('{}'))
        // with one: a partition of its own, where payment 7 does not exist (400)
        : send(server.url, 'POST', '/refunds/', { ...headers, 'x-simple-workspace': workspace }, Buffer.from('{"payment":7,"amount":1,"reason":"duplicate","receipt":"R"}')))
      const [healthy, ...rest] = await Promise.all([health(), ...batch])
      t.equal(healthy, 200, `round ${round}: the health check answers`)
      answers.push(...rest)
    }
    t.equal(answers.length, 200)
    t.strictSame(new Set(answers.filter((_, i) => i % 2 === 0).map(a => `${a.status} ${a.body}`)),
      new Set(['401 {"detail":"Authentication credentials were not provided."}']))
    t.strictSame(new Set(answers.filter((_, i) => i % 2 === 1).map(a => `${a.status} ${a.body}`)),
      new Set(['400 {"payment":["Invalid pk \\"7\\" - object does not exist."]}']))
  })

  t.test('an Accept header with an indent of ~16 KiB of spaces', { timeout: 30_000 }, async t => {
    const accept = rawUtf8(`application/json; indent=€${' '.repeat(HEADER_SPACES)}4`)
    const answers = await Promise.all(Array.from({ length: 200 }, () => send(server.url, 'GET', '/__admin/health', { accept })))
    t.strictSame(new Set(answers.map(a => `${a.status} ${a.body}`)), new Set(['200 {"status":"ok"}']), 'an indent that is not an integer is ignored')
  })

  // expected answers as the DRF oracle gave them for the same bodies
  const cases: Array<[string, Record<string, string[]>]> = [
    ['receipt', { receipt: ['Ensure this field has no more than 256 characters.'] }],
    ['note', { note: ['Ensure this field has no more than 64 characters.'] }],
    ['payment', { payment: ['Incorrect type. Expected pk value, received str.'] }],
    ['amount', { amount: ['String value too large.'] }]
  ]
  t.test('receipt, note, payment and amount near the 1 MiB body limit', async t => {
    for (const [field, expected] of cases) {
      const body: Record<string, unknown> = { payment: 7, amount: 1, reason: 'duplicate', receipt: 'R' }
      const prefix = Buffer.byteLength(JSON.stringify({ ...body, [field]: '€b' }))
      body[field] = `€${' '.repeat(BODY_ROOM - prefix)}b`
      const bytes = Buffer.from(JSON.stringify(body))
      t.ok(bytes.length < 1024 * 1024 && bytes.length > 1024 * 1024 - 400, `${field}: ${bytes.length} bytes, just under the limit`)
      const answer = send(server.url, 'POST', '/refunds/', headers, bytes)
      const healthy = await Promise.all([health(), health(), health()])
      t.strictSame(healthy, [200, 200, 200], `${field}: the health check answers while the body is read`)
      const res = await answer
      t.equal(res.status, 400, field)
      t.equal(res.body, JSON.stringify(expected), field)
    }
  })
})
