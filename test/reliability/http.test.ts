// Hostile input at the HTTP layer, against a listening server on loopback: slow clients, oversized headers,
// malformed framing, and connections by the thousand.
import t from 'tap'
import { connect, type Socket } from 'node:net'
import { readdirSync, readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { TIMEOUTS } from '../../src/app.js'
import { connectionLimit, openFileLimit } from '../../src/connections.js'
import { build } from '../helper.js'
import { freePort, START_ARGS, startServer } from '../process.js'

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

t.test('connections are capped below the file-descriptor limit: held sockets cannot make the server unreachable', { skip: process.platform !== 'linux' && 'reads /proc' }, async t => {
  t.equal(connectionLimit(1024), 960)
  t.equal(connectionLimit(100), 50)
  t.equal(connectionLimit(1_048_576), 10_000)
  t.equal(connectionLimit(Infinity), 10_000)
  const dir = t.testdir({
    limits: 'Limit  Soft Limit  Hard Limit  Units\nMax open files            512                  4096                 files\n',
    unlimited: 'Max open files  unlimited  unlimited files\n',
    odd: 'Max processes 5\n'
  })
  t.equal(openFileLimit(`${dir}/limits`), 512)
  t.equal(openFileLimit(`${dir}/unlimited`), Infinity)
  t.equal(openFileLimit(`${dir}/odd`), 256, 'unreadable: the usual macOS default')
  t.equal(openFileLimit(`${dir}/missing`), 256)

  // a server started with `ulimit -n 256` holds at most 192 connections; 400 clients hold theirs open
  const port = await freePort()
  const child = spawn('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" "$@"`, 'sh', ...START_ARGS], {
    env: { ...process.env, PORT: String(port), DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = `http://127.0.0.1:${port}`
  while (!(await fetch(`${url}/__admin/health`).then(r => r.ok, () => false))) await new Promise(resolve => setTimeout(resolve, 25))
  const held: Socket[] = []
  await Promise.all(Array.from({ length: 400 }, () => new Promise<void>(resolve => {
    const s = connect(port, '127.0.0.1', () => resolve())
    s.on('error', () => resolve())
    held.push(s)
  })))
  await new Promise(resolve => setTimeout(resolve, 300))
  const fds = readdirSync(`/proc/${child.pid as number}/fd`).length
  t.ok(fds < 256, `${fds} file descriptors in use: the limit was never reached`)
  t.equal(child.exitCode, null, 'still running')
  for (const s of held) s.destroy()
  await new Promise(resolve => setTimeout(resolve, 300))
  t.equal((await fetch(`${url}/__admin/health`)).status, 200, 'reachable once they let go')
  const log = await new Promise<string>(resolve => { let err = ''; child.stderr?.on('data', (c: Buffer) => { err += c.toString() }); child.on('exit', () => resolve(err)); child.kill('SIGTERM') })
  t.notMatch(log, /EMFILE/, 'no accept ever failed for want of descriptors')
})

t.test('an idle keep-alive connection is closed after a few seconds (Fastify keeps them 72 s)', async t => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal(app.server.keepAliveTimeout, 5000)
  const { port } = app.server.address() as AddressInfo
  const res = await raw(port, ['GET /__admin/health HTTP/1.1\r\nHost: localhost\r\n\r\n'], 15_000)
  t.equal(status(res.text), 200)
  t.match(res.text, /\r\nKeep-Alive: timeout=5\r\n/i, 'clients are told')
  t.ok(res.closedAfterMs >= 4000 && res.closedAfterMs < 10_000, `closed by the server after ${res.closedAfterMs} ms idle`)
})
