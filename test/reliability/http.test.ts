// Hostile input at the HTTP layer, against a listening server on loopback: slow clients, oversized headers,
// malformed framing, and connections by the thousand.
import t from 'tap'
import { connect, type Socket } from 'node:net'
import { readdirSync, readFileSync } from 'node:fs'
import { TIMEOUTS } from '../../src/app.js'
import { build } from '../helper.js'
import { startServer } from '../process.js'

/** Writes raw bytes, resolves with everything the server sent until it closed (or `waitMs` passed). */
function raw (port: number, chunks: Array<string | number>, waitMs = 3000): Promise<{ text: string, closedAfterMs: number }> {
  return new Promise(resolve => {
    const started = Date.now()
    const socket: Socket = connect(port, '127.0.0.1')
    let text = ''
    const done = () => resolve({ text, closedAfterMs: Date.now() - started })
    const timer = setTimeout(() => { socket.destroy(); done() }, waitMs)
    socket.setEncoding('latin1').on('data', (c: string) => { text += c })
    socket.on('close', () => { clearTimeout(timer); done() })
    socket.on('error', () => {})
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (typeof chunk === 'number') await new Promise(resolve => setTimeout(resolve, chunk))
        else if (!socket.destroyed) socket.write(chunk)
      }
    })
  })
}

const status = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1])
const body = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { detail: string }

t.test('the production timeouts are bounded', async t => {
  t.ok(TIMEOUTS.headersMs <= 10_000 && TIMEOUTS.requestMs <= 30_000 && TIMEOUTS.checkIntervalMs <= 1000)
})

t.test('slow clients are cut off', async t => {
  // the same mechanism as production, with timeouts short enough for a test
  const { app } = await build(t, { fastify: { requestTimeout: 600, http: { headersTimeout: 300, connectionsCheckingInterval: 50 } } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const headers = await raw(port, ['POST /refunds/ HTTP/1.1\r\nHost: x\r\n', 200, 'X-A: 1\r\n', 200, 'X-B: 2\r\n', 200, 'X-C: 3\r\n', 200, 'X-D: 4\r\n'])
  t.equal(status(headers.text), 408, 'headers sent a line at a time')
  t.equal(body(headers.text).detail, 'The request was not received in time.')
  t.ok(headers.closedAfterMs < 2000)
  const slowBody = await raw(port, ['POST /refunds/ HTTP/1.1\r\nHost: x\r\nAuthorization: Token t\r\nX-Simple-Workspace: w\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":', 300, '1', 300, ',', 300, '"b"'])
  t.equal(status(slowBody.text), 408, 'a body that trickles in')
  t.ok(slowBody.closedAfterMs < 2500)
})

t.test('oversized headers: 431; malformed framing: 400', async t => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const big = await raw(port, [`GET /__admin/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`])
  t.equal(status(big.text), 431)
  t.match(big.text, /\r\nContent-Type: application\/json\r\n/)
  t.equal(body(big.text).detail, 'Request headers are larger than the 16384 bytes allowed.')
  const cases: Array<[string, string]> = [
    ['Content-Length that is not a number', 'POST /refunds/ HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}'],
    ['two different Content-Lengths', 'POST /refunds/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['Content-Length and chunked together', 'POST /refunds/ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['a chunk size that is not hex', 'POST /__admin/payments HTTP/1.1\r\nHost: x\r\nX-Simple-Workspace: w\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['an unknown transfer coding', 'POST /refunds/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, foo\r\n\r\n0\r\n\r\n'],
    ['not HTTP at all', 'HELLO THERE\r\n\r\n']
  ]
  for (const [name, request] of cases) {
    const res = await raw(port, [request])
    t.equal(status(res.text), 400, name)
    t.equal(body(res.text).detail, 'Malformed HTTP request.', name)
  }
  // a well-formed chunked body is read (DRF behind gunicorn alone would see it as empty: README, Fidelity)
  const chunked = await raw(port, ['POST /__admin/payments HTTP/1.1\r\nHost: x\r\nX-Simple-Workspace: w\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n', '5\r\n{"amo\r\n', 'b\r\nunt":"1.5"}\r\n0\r\n\r\n'])
  t.equal(status(chunked.text), 201)
})

t.test('thousands of connections opened and dropped leak no memory and no file descriptors', async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' })
  const pid = server.child.pid as number
  const port = Number(new URL(server.url).port)
  const fds = () => readdirSync(`/proc/${pid}/fd`).length
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024
  const churn = async (n: number) => {
    for (let i = 0; i < n; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, k) => new Promise<void>(resolve => {
        const s = connect(port, '127.0.0.1', () => {
          // half of them leave in the middle of a request, some of those with a reset
          if ((i + k) % 2 === 0) s.write('POST /refunds/ HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a"')
          setTimeout(() => (i + k) % 4 === 0 ? s.resetAndDestroy() : s.destroy(), 5)
        })
        s.on('close', () => resolve())
        s.on('error', () => resolve())
      })))
    }
  }
  await churn(1000)
  await new Promise(resolve => setTimeout(resolve, 300))
  const [fdsBefore, rssBefore] = [fds(), rssMb()]
  await churn(4000)
  await new Promise(resolve => setTimeout(resolve, 500))
  t.ok(fds() <= fdsBefore + 5, `file descriptors: ${fdsBefore} then ${fds()}`)
  t.ok(rssMb() < rssBefore + 20, `RSS: ${rssBefore.toFixed(1)} MB then ${rssMb().toFixed(1)} MB`)
  t.equal((await fetch(`${server.url}/__admin/health`)).status, 200, 'still serving')
})
