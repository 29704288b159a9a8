// The process: start-up, configuration errors, logs, graceful shutdown, restarts on the same database file.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createServer } from 'node:net'
import Database from 'better-sqlite3'
import { freePort, run, SERVER, startServer } from './process.js'
import { isLoopback } from '../src/emulator.js'

// removed with the test run (tap's fixture folder)
const dir = t.testdir()
const HEADERS = { authorization: 'Token tok_secret_value', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }

async function refund (url: string, amount: number, payment = 501): Promise<{ status: number, body: Record<string, unknown> }> {
  const res = await fetch(`${url}/refunds/`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ payment, amount, reason: 'duplicate', receipt: 'R' }) })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}

t.test('starts on a file database with a seed, serves, stops on SIGTERM, and keeps balances across a restart', async t => {
  const seed = join(dir, 'seed.json')
  writeFileSync(seed, JSON.stringify({ payments: [{ workspace: 'acc_1', test_mode: false, id: 501, amount: 100 }] }))
  const env = { DATABASE_PATH: join(dir, 'sub', 'restart.sqlite'), SEED_FILE: seed }
  const first = await startServer(t, env)
  t.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds 127.0.0.1 by default')
  const health = await fetch(`${first.url}/__admin/health`)
  t.equal(health.status, 200)
  t.strictSame(await health.json(), { status: 'ok' })
  t.equal((await refund(first.url, 30)).body.balance, 70)
  t.equal(await first.stop('SIGTERM'), 0)

  const second = await startServer(t, env)
  const payment = await (await fetch(`${second.url}/__admin/payments/501`, { headers: { 'x-simple-workspace': 'acc_1' } })).json() as Record<string, unknown>
  t.equal(payment.balance, 70, 'the seed does not reset an existing payment')
  t.equal((payment.refunds as unknown[]).length, 1)
  t.equal((await refund(second.url, 70)).body.balance, 0)
  t.equal((await refund(second.url, 1)).status, 400)
  t.equal(await second.stop('SIGINT'), 0)

  const db = new Database(env.DATABASE_PATH, { readonly: true })
  t.equal(db.prepare('SELECT refunded FROM payments WHERE id = 501').pluck().get(), 10000)
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok')
  db.close()
})

t.test('logs: pino JSON, one line per request at info, tokens never written', async t => {
  // (the health checks that wait for the server are requests too)
  const server = await startServer(t, { DATABASE_PATH: ':memory:' })
  await fetch(`${server.url}/refunds/`, { method: 'POST', headers: HEADERS, body: '{}' })
  await fetch(`${server.url}/refunds/`, { method: 'POST', headers: { ...HEADERS, authorization: 'Token' }, body: '{}' })
  await fetch(`${server.url}/refunds/?api_key=qk_secret_in_query&page=2`, { method: 'POST', headers: HEADERS, body: '{}' })
  t.equal(await server.stop(), 0)
  const lines = server.logs.filter(l => l !== '').map(l => JSON.parse(l) as Record<string, unknown>)
  t.ok(lines.every(l => typeof l.level === 'number' && typeof l.time === 'number'), 'every line is pino JSON')
  t.ok(lines.some(l => typeof l.msg === 'string' && l.msg.startsWith('Server listening at http://127.0.0.1:')))
  const requests = lines.filter(l => l.req !== undefined)
  t.ok(requests.every(l => l.msg === 'request completed'), 'one line per request')
  const refunds = requests.filter(l => (l.req as { url: string }).url === '/refunds/')
  t.match(refunds, [
    { level: 30, req: { method: 'POST', url: '/refunds/' }, res: { statusCode: 400 }, responseTime: Number },
    { level: 30, req: { method: 'POST', url: '/refunds/' }, res: { statusCode: 401 } }
  ])
  t.equal(refunds.length, 2)
  t.ok(requests.some(l => (l.req as { url: string }).url === '/refunds/?api_key=…uery&page=2'), 'a credential in the query is masked')
  t.notOk(server.logs.join('\n').includes('tok_secret_value'), 'the token appears nowhere')
  t.notOk(server.logs.join('\n').includes('qk_secret'), 'nor the query\'s key')
})

t.test('listening beyond loopback without ADMIN_TOKEN: one warn line that says what anyone can do', async t => {
  const open = await startServer(t, { DATABASE_PATH: ':memory:', HOST: '0.0.0.0', LOG_LEVEL: 'warn' })
  t.equal(await open.stop(), 0)
  const warnings = open.logs.filter(l => l !== '').map(l => JSON.parse(l) as { level: number, msg: string })
  t.equal(warnings.length, 1)
  t.match(warnings[0], { level: 40, msg: /^ADMIN_TOKEN is not set and the server listens on 0\.0\.0\.0: anyone who can reach port \d+ can reset or replace the data, read the request journal and inject faults\. Set ADMIN_TOKEN\.$/ })
  const guarded = await startServer(t, { DATABASE_PATH: ':memory:', HOST: '0.0.0.0', LOG_LEVEL: 'warn', ADMIN_TOKEN: 'adm_secret' })
  t.equal(await guarded.stop(), 0)
  t.strictSame(guarded.logs.filter(l => l !== ''), [], 'no warning with ADMIN_TOKEN set')
})

t.test('what counts as loopback', async t => {
  for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) t.ok(isLoopback(host), host)
  for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'example.com', '128.0.0.1']) t.notOk(isLoopback(host), host)
})

t.test('LOG_LEVEL=warn keeps request logs out', async t => {
  const server = await startServer(t, { DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' })
  t.equal(server.url.startsWith('http://127.0.0.1:'), true)
  await fetch(`${server.url}/__admin/health`)
  t.equal(await server.stop(), 0)
  t.strictSame(server.logs.filter(l => l !== ''), [])
})

t.test('SIGTERM lets in-flight requests finish', async t => {
  const seed = join(dir, 'inflight-seed.json')
  writeFileSync(seed, JSON.stringify({ payments: [{ workspace: 'acc_1', id: 501, amount: 1000 }] }))
  const server = await startServer(t, { DATABASE_PATH: join(dir, 'inflight.sqlite'), SEED_FILE: seed, LOG_LEVEL: 'warn' })
  const pending = Array.from({ length: 40 }, () => refund(server.url, 1))
  await new Promise(resolve => setTimeout(resolve, 5))
  server.child.kill('SIGTERM')
  const results = await Promise.allSettled(pending)
  const answered = results.filter(r => r.status === 'fulfilled').map(r => (r as PromiseFulfilledResult<{ status: number }>).value.status)
  t.ok(answered.every(s => s === 201), `only 201s: ${answered.join(',')}`)
  t.equal(await server.exited, 0)
  const db = new Database(join(dir, 'inflight.sqlite'), { readonly: true })
  t.equal(db.prepare('SELECT refunded FROM payments').pluck().get(), answered.length * 100, 'every answered refund is stored, nothing else')
  db.close()
})

t.test('an uncaught error is logged at error level, then the server closes and exits 1', async t => {
  // thrown once the server answers (a fixed delay could fire before a busy machine has started it)
  const port = await freePort()
  const crash = 'data:text/javascript,const timer = setInterval(() => fetch("http://127.0.0.1:" + process.env.PORT + "/__admin/health")' +
    '.then(r => { if (r.ok) { clearInterval(timer); setTimeout(() => { throw new Error("boom in a timer") }, 50) } }, () => {}), 100)'
  const proc = run({ DATABASE_PATH: ':memory:', PORT: String(port) }, [`--import=${crash}`, SERVER])
  t.equal(await proc.exited, 1)
  const lines = proc.logs.filter(l => l !== '').map(l => JSON.parse(l) as { level: number, msg: string, err?: { message: string } })
  t.ok(lines.some(l => l.msg.startsWith('Server listening')), 'it had started')
  t.match(lines.find(l => l.msg === 'shutting down after an error'), { level: 50, err: { message: 'boom in a timer' } })
})

t.test('bad configuration stops start-up with one line naming the problem', async t => {
  const notDb = join(dir, 'not-a-db.sqlite')
  writeFileSync(notDb, 'plain text, long enough to fill the SQLite header and then some more. '.repeat(10))
  const newer = join(dir, 'newer.sqlite')
  const db = new Database(newer)
  db.pragma('user_version = 42')
  db.close()
  const badSeed = join(dir, 'bad-seed.json')
  writeFileSync(badSeed, JSON.stringify({ payments: [{ workspace: 'a', id: 1, amount: 1 }, { workspace: 'a', id: 2, amount: 'x' }] }))
  const blocker = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const busyPort = String((blocker.address() as { port: number }).port)
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^piriod-mock: PORT must be an integer from 0 to 65535, got "abc"\n$/],
    [{ LOG_LEVEL: 'chatty' }, /^piriod-mock: LOG_LEVEL must be one of/],
    [{ SEED_FILE: join(dir, 'missing.json') }, /^piriod-mock: SEED_FILE .*missing\.json: cannot be read \(ENOENT\)\n$/],
    [{ SEED_FILE: badSeed }, /^piriod-mock: SEED_FILE .*bad-seed\.json: payments\[1\]\.amount: A valid number is required\.\n$/],
    [{ DATABASE_PATH: notDb }, /^piriod-mock: DATABASE_PATH .*not-a-db\.sqlite: not an SQLite database, or corrupt\n$/],
    [{ DATABASE_PATH: dir }, /^piriod-mock: DATABASE_PATH .*: unable to open database file \(SQLITE_CANTOPEN\); it must name a file in a folder the server's user can write\n$/],
    [{ DATABASE_PATH: newer }, /^piriod-mock: DATABASE_PATH .*newer\.sqlite: the database is at schema version 42, newer than this piriod-mock knows \(2\)/],
    [{ DATABASE_PATH: join(notDb, 'child.sqlite') }, /^piriod-mock: DATABASE_PATH .*child\.sqlite: .*not-a-db\.sqlite is a file, not a folder\n$/],
    [{ DATABASE_PATH: ':memory:', PORT: busyPort }, new RegExp(`^piriod-mock: cannot listen on 127.0.0.1:${busyPort}: listen EADDRINUSE`)],
    [{ DATABASE_PATH: ':memory:', HOST: 'no-such-host.invalid' }, /^piriod-mock: cannot listen on no-such-host\.invalid:\d+: getaddrinfo (ENOTFOUND|EAI_AGAIN)/]
  ]
  // in parallel: each child loads the TypeScript sources through tap's loader, which takes a few seconds
  const runs = cases.map(([env]) => run({ DATABASE_PATH: ':memory:', ...env }))
  const codes = await Promise.all(runs.map(r => r.exited))
  for (const [i, [env, message]] of cases.entries()) {
    const proc = runs[i] as ReturnType<typeof run>
    t.equal(codes[i], 1, `exit 1 for ${JSON.stringify(env)}`)
    t.match(proc.stderr(), message)
    t.equal(proc.stderr().trim().split('\n').length, 1, 'one line, no stack trace')
    t.notOk(proc.logs.some(l => l.includes('Server listening')), 'never listened')
  }
})

t.test('a closed terminal (SIGHUP) stops it gracefully; a fault signal is never taken for a stop request', async t => {
  const hup = await startServer(t, { DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' })
  t.equal(await hup.stop('SIGHUP'), 0, 'SIGHUP: a graceful stop, exit 0')
  // close-with-grace handles SIGSEGV too by default: a handled fault re-runs the faulting instruction, and a crashed
  // server spun at full CPU forever. The fault signals keep their default action: the process ends.
  const fault = await startServer(t, { DATABASE_PATH: ':memory:', LOG_LEVEL: 'warn' })
  const signalled = new Promise<NodeJS.Signals | null>(resolve => fault.child.once('exit', (_code, signal) => resolve(signal)))
  fault.child.kill('SIGSEGV')
  t.equal(await signalled, 'SIGSEGV', 'killed by the signal, not shut down as if asked to stop')
})
