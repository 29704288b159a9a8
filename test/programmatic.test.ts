// The programmatic API, used from tap the way a user's test suite would.
import t from 'tap'
import { get } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PiriodMockError, startPiriodMock, StartError } from '../src/index.js'

// removed with the test run (tap's fixture folder)
const dir = t.testdir()
const refund = (url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${url}/refunds/`, {
    method: 'POST',
    headers: { authorization: 'Token tok_test', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ reason: 'duplicate', receipt: 'R-1', ...body })
  })

t.test('a test against the emulator, start to finish', async t => {
  const mock = await startPiriodMock()
  t.teardown(() => mock.close())
  t.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  const payment = await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  t.match(payment, { id: 7, amount: 100, balance: 100, refund_outcome: 'succeeded', test_mode: false })

  // the code under test refunds twice
  t.equal((await refund(mock.url, { payment: 7, amount: 60 })).status, 201)
  const second = await refund(mock.url, { payment: 7, amount: 41 })
  t.equal(second.status, 400)
  t.strictSame(await second.json(), { amount: ['Ensure this value is less than or equal to the payment\'s remaining refundable balance of 40.00.'] })

  const after = await mock.payment(7, { workspace: 'acc_1' })
  t.equal(after?.balance, 40)
  t.equal(after?.refunds.length, 1)
  t.equal(await mock.payment(7, { workspace: 'acc_1', testMode: true }), null)
  const seen = await mock.requests({ workspace: 'acc_1', path: '/refunds/' })
  t.strictSame(seen.map(r => r.response?.status), [400, 201])
  t.equal((await mock.requests({ status: 201, limit: 1 })).length, 1)
  t.equal(await mock.clearRequests(), 2)
  t.strictSame(await mock.requests(), [])
})

t.test('requests() gathers its limit across the journal\'s 1 MiB pages', async t => {
  const mock = await startPiriodMock({ journalMaxBytes: 4 * 1024 * 1024 })
  t.teardown(() => mock.close())
  // bodies of control characters: ~16 KB each in memory, ~96 KB each as JSON, about ten to a page
  const body = Buffer.alloc(16_000, 1)
  for (let i = 0; i < 40; i++) {
    await fetch(`${mock.url}/refunds/`, { method: 'POST', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body })
  }
  const some = await mock.requests({ limit: 25 })
  t.equal(some.length, 25)
  const all = await mock.requests({ limit: 1000 })
  t.equal(all.length, 40)
  t.equal(new Set(all.map(e => e.id)).size, 40, 'each entry once')
  t.strictSame(some.map(e => e.id), all.slice(0, 25).map(e => e.id), 'newest first')
})

t.test('a fixed clock, moved from the test', async t => {
  const mock = await startPiriodMock({ clock: new Date('2026-01-01T00:00:00Z') })
  t.teardown(() => mock.close())
  t.equal((await mock.clock.now()).toISOString(), '2026-01-01T00:00:00.000Z')
  t.equal((await mock.clock.advance(90_000)).toISOString(), '2026-01-01T00:01:30.000Z')
  t.equal((await mock.clock.set('2026-02-01T00:00:00Z')).toISOString(), '2026-02-01T00:00:00.000Z')
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  const res = await refund(mock.url, { payment: 7, amount: 1 })
  t.equal((await res.json() as { created: string }).created, '2026-02-01T00:00:00.000001Z')
  t.equal((await mock.clock.reset()).toISOString(), '2026-01-01T00:00:00.000Z')
  await t.rejects(mock.clock.set(new Date('2025-01-01T00:00:00Z')), PiriodMockError, 'never backwards')
  // a seed taken from a snapshot carries its clock: the emulator continues from there
  const seeded = await startPiriodMock({ clock: '2026-01-01T00:00:00Z', seed: { payments: [], clock: '2026-03-01T00:00:00Z' } })
  t.teardown(() => seeded.close())
  t.equal((await seeded.clock.now()).toISOString(), '2026-03-01T00:00:00.000Z')
})

t.test('two emulators in one process share nothing', async t => {
  const [a, b] = await Promise.all([startPiriodMock(), startPiriodMock()])
  t.teardown(async () => { await a.close(); await b.close() })
  t.not(a.url, b.url)
  await a.createPayment({ workspace: 'acc_1', id: 7, amount: 10 })
  t.equal((await b.payment(7, { workspace: 'acc_1' })), null)
  const created = await b.createPayment({ workspace: 'acc_1', amount: '5.50', testMode: true, refundOutcome: 'failed' })
  t.match(created, { id: 1, amount: 5.5, test_mode: true, refund_outcome: 'failed' })
  t.equal((await refund(b.url, { payment: 7, amount: 1 })).status, 400)
  t.equal((await refund(a.url, { payment: 7, amount: 1 })).status, 201)
})

t.test('faults, snapshots and resets through the API', async t => {
  const mock = await startPiriodMock({ apiTokens: ['tok_test=acc_1', 'tok_other'], journalSize: 50, latencyMs: 0, duplicateWindowMs: 60_000 })
  t.teardown(() => mock.close())
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  const rule = await mock.addFault({ match: { path: '/refunds/' }, action: { status: 503, after_commit: true } })
  t.match(rule, { id: 'flt_1', fired: 0 })
  t.equal((await refund(mock.url, { payment: 7, amount: 30 })).status, 503)
  t.equal((await mock.payment(7, { workspace: 'acc_1' }))?.balance, 70, 'stored although the client saw a 503')
  t.equal((await refund(mock.url, { payment: 7, amount: 30 })).status, 201, 'a blind retry')
  const [retry, first] = await mock.requests()
  t.equal(retry?.possible_duplicate, true)
  t.equal(first?.possible_duplicate, true)
  t.equal(await mock.clearFaults(), 1)
  t.equal((await refund(mock.url, { payment: 7, amount: 1 }, { 'x-simple-workspace': 'acc_2' })).status, 403)

  const snap = await mock.snapshot({ workspace: 'acc_1' })
  t.equal(snap.payments[0]?.refunds?.length, 2)
  t.strictSame(await mock.reset({ workspace: 'acc_1' }), { payments: 1, refunds: 2 })
  t.equal(await mock.payment(7, { workspace: 'acc_1' }), null)
  await mock.restore(snap, { workspace: 'acc_1' })
  t.equal((await mock.payment(7, { workspace: 'acc_1' }))?.balance, 40)
  t.strictSame(await mock.reset(), { payments: 1, refunds: 2 })

  const err = await mock.createPayment({ workspace: 'acc_1', amount: '1.234' }).catch((e: unknown) => e)
  t.ok(err instanceof PiriodMockError)
  t.equal((err as PiriodMockError).status, 400)
  t.strictSame((err as PiriodMockError).body, { amount: ['Ensure that there are no more than 2 decimal places.'] })
  await t.rejects(mock.restore({ payments: [{ workspace: 'acc_9', id: 1, amount: 1 }] }, { workspace: 'acc_1' }), PiriodMockError)
  t.match(await mock.payment(1, { workspace: '' }).catch((e: unknown) => e), { status: 400 })
})

t.test('options: seed (object or file), file database, admin token, hosts', async t => {
  const seedPath = join(dir, 'seed.json')
  writeFileSync(seedPath, JSON.stringify({ payments: [{ workspace: 'acc_1', id: 501, amount: 20 }] }))
  const databasePath = join(dir, 'api.sqlite')
  const first = await startPiriodMock({ seed: seedPath, databasePath, adminToken: 'adm_1', host: '0.0.0.0' })
  t.match(first.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'every interface: reached through loopback')
  t.equal((await first.payment(501, { workspace: 'acc_1' }))?.balance, 20, 'helpers carry the admin token')
  t.equal((await fetch(`${first.url}/__admin/snapshot`)).status, 401, 'others need it')
  t.equal((await refund(first.url, { payment: 501, amount: 5 })).status, 201)
  await first.close()
  t.equal(await fetch(`${first.url}/__admin/health`).then(r => r.status, () => 'closed'), 'closed', 'close() releases the port')

  const second = await startPiriodMock({ databasePath, seed: { payments: [{ workspace: 'acc_1', id: 501, amount: 20 }, { workspace: 'acc_1', id: 502, amount: 1 }] }, host: '::1' })
  t.match(second.url, /^http:\/\/\[::1\]:\d+$/)
  t.equal((await second.payment(501, { workspace: 'acc_1' }))?.balance, 15, 'the file kept the refund; the seed left the payment as it was')
  t.equal((await second.payment(502, { workspace: 'acc_1' }))?.balance, 1)
  t.equal((await fetch(`${second.url}/__admin/health`)).status, 200)

  // the README's contract: every start-up problem is a StartError, one line that names it
  await t.rejects(startPiriodMock({ seed: { payments: [{ workspace: 'a', id: 1, amount: 'x' }, { workspace: 'a', id: 2, amount: 'y' }] } }),
    new StartError('seed: payments[0].amount: A valid number is required. (and 1 more)'))
  await t.rejects(startPiriodMock({ seed: join(dir, 'missing.json') }), StartError)
  // a seeded refund whose id another refund already has: named, nothing started
  const owner = (await second.snapshot()).payments[0]?.refunds?.[0]?.id as string
  const clash = { payments: [{ workspace: 'acc_2', id: 1, amount: 5, refunds: [{ id: owner, amount: 1, reason: 'duplicate' as const, receipt: 'r' }] }] }
  await second.close()
  await t.rejects(startPiriodMock({ databasePath, seed: clash }), new StartError(`seed: payments[0].refunds[0].id: A refund with id ${owner} already exists.`))
  const clashFile = join(dir, 'clash.json')
  writeFileSync(clashFile, JSON.stringify(clash))
  await t.rejects(startPiriodMock({ databasePath, seed: clashFile }), new StartError(`SEED_FILE ${clashFile}: payments[0].refunds[0].id: A refund with id ${owner} already exists.`))
  const third = await startPiriodMock({ databasePath })
  t.teardown(() => third.close())
  await t.rejects(startPiriodMock({ journalSize: -1 }), new StartError('JOURNAL_SIZE must be an integer from 0 to 100000, got "-1"'))
  await t.rejects(startPiriodMock({ allowedHosts: 'http://x' }), StartError)
  const hosts = await startPiriodMock({ allowedHosts: ['a.example', 'piriod.test'] })
  t.teardown(() => hosts.close())
  const asHost = (host: string) => new Promise<number>(resolve => {
    get({ host: '127.0.0.1', port: Number(new URL(hosts.url).port), path: '/__admin/health', headers: { host } }, res => { res.resume(); resolve(res.statusCode as number) })
  })
  t.strictSame([await asHost('piriod.test:1'), await asHost('evil.example')], [200, 403], 'a list of hosts: each of them, and no other')
  await t.rejects(startPiriodMock({ databasePath: join(dir, 'seed.json') }), StartError, 'a file that is not a database')
  const taken = Number(new URL(third.url).port)
  await t.rejects(startPiriodMock({ port: taken }), { name: 'StartError', message: new RegExp(`^cannot listen on 127.0.0.1:${taken}: listen EADDRINUSE`) })
})

t.test('helpers for every admin call, typed as the answers are; after close() every one says so', async t => {
  const mock = await startPiriodMock({ clock: '2026-01-01T00:00:00Z' })
  const payments = Array.from({ length: 130 }, (_, i) => ({ workspace: i < 120 ? 'acc_1' : 'acc_2', id: i + 1, amount: 10 }))
  const restored = await mock.restore({ payments })
  t.strictSame(restored, { deleted: { payments: 0, refunds: 0 }, imported: { payments: 130, refunds: 0 } })
  const listed = await mock.payments({ workspace: 'acc_1' })
  t.equal(listed.length, 120, 'every page of them')
  t.match(listed[119], { workspace: 'acc_1', id: 120, amount: 10, refund_count: 0 })
  t.equal((await mock.payments()).length, 130)

  const rule = await mock.addFault({ match: { path: '/refunds/' }, action: { status: 503 }, times: 2 }, { workspace: 'acc_1' })
  t.match(rule, { id: 'flt_1', match: { path: '/refunds/' }, action: { status: 503 }, times: 2, fired: 0, active: true, workspace: 'acc_1', test_mode: null })
  t.strictSame((await mock.faults()).map(r => r.id), ['flt_1'])
  t.strictSame(await mock.faults({ workspace: 'acc_2' }), [], 'scoped')
  t.equal(await mock.deleteFault('flt_1', { workspace: 'acc_2' }), false, 'not in that scope')
  t.equal(await mock.deleteFault('flt_1'), true)
  t.equal(await mock.deleteFault('flt_1'), false, 'gone')

  await fetch(`${mock.url}/refunds/`, { method: 'POST' })
  const har = await mock.har()
  t.equal(har.log.version, '1.2')
  t.equal(har.log.entries.length, 1)
  t.match(har.log.entries[0], { request: { method: 'POST' }, response: { status: 401 } })
  await fetch(`${mock.url}/refunds/`, { method: 'PUT' })
  t.strictSame((await mock.har({ limit: 1 })).log.entries.map(e => (e as { request: { method: string } }).request.method), ['PUT'], 'the newest entries only')

  await mock.close()
  await mock.close()
  for (const call of [() => mock.payments(), () => mock.requests(), () => mock.createPayment({ workspace: 'w', amount: 1 }), () => mock.clock.now(), () => mock.deleteFault('flt_1')]) {
    const err = await call().catch((e: unknown) => e)
    t.ok(err instanceof PiriodMockError, 'a PiriodMockError')
    t.match(err, { status: 0, message: /^this piriod-mock was closed \(close\(\)\): (GET|POST|DELETE) \/__admin\/[\w/]+ went nowhere$/ })
  }
})
