// Snapshots: GET exports the scope, POST replaces it; a round trip is byte-for-byte stable.
import t from 'tap'
import { assertInvalid, assertRefund, build, createPayment, getPayment, postRefund, refundBody } from '../helper.js'
import type { App } from '../../src/app.js'

const getSnapshot = (app: App, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/__admin/snapshot', headers })
const putSnapshot = (app: App, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/__admin/snapshot', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) })

async function fill (app: App): Promise<void> {
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 7, amount: 30, testMode: true })
  await createPayment(app, { id: 8, amount: '0.30', refundOutcome: 'failed' })
  await createPayment(app, { id: 9, amount: 5, workspace: 'acc_2' })
  assertRefund(t, await postRefund(app, refundBody({ amount: '12.50', note: 'first', metadata: { order: 'A-1', n: [1, 2.5, null], '\u2028': 'x' } })))
  assertRefund(t, await postRefund(app, refundBody({ amount: 7, reason: 'fraudulent', receipt: 'R-2' })))
  assertRefund(t, await postRefund(app, refundBody({ amount: 30 }), { 'x-piriod-test-mode': 'true' }))
  assertRefund(t, await postRefund(app, refundBody({ payment: 8, amount: 0.1 })))
  assertRefund(t, await postRefund(app, refundBody({ payment: 9, amount: 1 }), { 'x-simple-workspace': 'acc_2' }))
}

t.test('export: payments with their refunds, in the seed file\'s format', async t => {
  const { app } = await build(t)
  await fill(app)
  const res = await getSnapshot(app)
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.strictSame(doc.payments.map((p: any) => [p.workspace, p.test_mode, p.id, p.amount, p.refund_outcome, p.refunds.length]), [
    ['acc_1', false, 7, 100, 'succeeded', 2], ['acc_1', false, 8, 0.3, 'failed', 1], ['acc_1', true, 7, 30, 'succeeded', 1], ['acc_2', false, 9, 5, 'succeeded', 1]
  ])
  t.strictSame(Object.keys(doc.payments[0]), ['workspace', 'test_mode', 'id', 'amount', 'refund_outcome', 'created', 'refunds'])
  t.match(doc.payments[0].refunds[0], { amount: 12.5, balance: 87.5, reason: 'duplicate', note: 'first', receipt: 'R-1', status: 'succeeded', metadata: { order: 'A-1' } })
  t.match(doc.payments[1].refunds[0], { amount: 0.1, balance: 0.3, status: 'failed' })
  t.equal((await getSnapshot(app, { 'x-simple-workspace': 'acc_1' })).json().payments.length, 3)
  t.equal((await getSnapshot(app, { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'true' })).json().payments.length, 1)
  t.equal((await getSnapshot(app, { 'x-piriod-test-mode': 'false' })).json().payments.length, 3)
  // the journal holds the requests that made these (and their redacted tokens): a snapshot never carries it
  t.ok(app.journal.stats.entries >= 5)
  t.notMatch(res.body, /req_\d|authorization|Token|headers/, 'nothing of the journal is in the snapshot')
})

t.test('a round trip reproduces every balance and refund, byte for byte', async t => {
  const { app } = await build(t)
  await fill(app)
  const first = (await getSnapshot(app)).body
  const { app: other } = await build(t)
  const res = await putSnapshot(other, first)
  t.equal(res.statusCode, 200, res.body)
  t.strictSame(res.json(), { deleted: { payments: 0, refunds: 0 }, imported: { payments: 4, refunds: 5 } })
  t.equal((await getSnapshot(other)).body, first, 'the other emulator exports the same bytes')
  t.strictSame((await getPayment(other, 7)).json(), (await getPayment(app, 7)).json(), 'the payment and its refunds, ids and timestamps included')
  // onto itself: everything is replaced by the same
  t.strictSame((await putSnapshot(app, first)).json(), { deleted: { payments: 4, refunds: 5 }, imported: { payments: 4, refunds: 5 } })
  t.equal((await getSnapshot(app)).body, first)
  // the restored balances keep working
  assertInvalid(t, await postRefund(other, refundBody({ amount: 81 })), { amount: ['Ensure this value is less than or equal to the payment\'s remaining refundable balance of 80.50.'] })
  t.equal(assertRefund(t, await postRefund(other, refundBody({ amount: '80.50' }))).balance, 0)
})

t.test('POST replaces only the scope it names', async t => {
  const { app } = await build(t)
  await fill(app)
  const acc2 = (await getSnapshot(app, { 'x-simple-workspace': 'acc_2' })).json()
  const replaced = await putSnapshot(app, { payments: [{ workspace: 'acc_1', id: 50, amount: 10, refunds: [{ amount: 4, reason: 'duplicate', receipt: 'new', balance: 6 }] }] }, { 'x-simple-workspace': 'acc_1' })
  t.strictSame(replaced.json(), { deleted: { payments: 3, refunds: 4 }, imported: { payments: 1, refunds: 1 } })
  t.equal((await getPayment(app, 7)).statusCode, 404)
  t.equal((await getPayment(app, 50)).json().balance, 6)
  t.match((await getPayment(app, 50)).json().refunds[0], { id: /^ref_[0-9a-f]{26}$/, amount: 4, balance: 6, note: null, metadata: {} })
  const exact = {
    workspace: 'acc_1',
    id: 51,
    amount: 1,
    created: '2026-01-02T03:04:05Z',
    refunds: [
      { id: 'ref_given', amount: 0.5, reason: 'duplicate', receipt: 'r', created: '2026-01-02T03:04:06.5Z' },
      { id: 'ref_later', amount: 0.5, reason: 'duplicate', receipt: 'r', created: '2026-01-02T03:04:07Z', updated: '2026-02-01T00:00:00.000001Z' }
    ]
  }
  t.equal((await putSnapshot(app, { payments: [exact] }, { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'false' })).statusCode, 200)
  t.match((await getPayment(app, 51)).json(), {
    created: '2026-01-02T03:04:05Z',
    refunds: [
      { id: 'ref_given', created: '2026-01-02T03:04:06.500000Z', updated: '2026-01-02T03:04:06.500000Z' },
      { id: 'ref_later', created: '2026-01-02T03:04:07Z', updated: '2026-02-01T00:00:00.000001Z' }
    ]
  })
  t.strictSame((await getSnapshot(app, { 'x-simple-workspace': 'acc_2' })).json(), acc2, 'acc_2 untouched')
  assertInvalid(t, await putSnapshot(app, { payments: [{ workspace: 'acc_2', id: 1, amount: 1 }, { workspace: 'acc_1', test_mode: true, id: 1, amount: 1 }] }, { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'false' }), {
    'payments[0]': ['Outside the scope of this call (its x-simple-workspace / x-piriod-test-mode headers).'],
    'payments[1]': ['Outside the scope of this call (its x-simple-workspace / x-piriod-test-mode headers).']
  })
})

t.test('bad documents: every problem by path, nothing written', async t => {
  const { app } = await build(t)
  await fill(app)
  const before = (await getSnapshot(app)).body
  assertInvalid(t, await putSnapshot(app, {
    payments: [
      { workspace: 'acc_1', id: 1, amount: 10, refunds: [{ amount: 6, reason: 'duplicate', receipt: 'a', balance: 5 }, { amount: 5, reason: 'x', receipt: '' }] },
      { workspace: 'acc_1', id: 2, amount: 1, created: 'yesterday', refunds: [{ id: 'has space', amount: 1, reason: 'duplicate', receipt: 'b', status: 'pending', updated: 5 }] }
    ]
  }), {
    'payments[0].refunds[0].balance': ['Expected 4.00, what the refunds up to this one leave.'],
    'payments[0].refunds[1].reason': ['"x" is not a valid choice.'],
    'payments[0].refunds[1].receipt': ['This field may not be blank.'],
    'payments[1].created': ['Datetime has wrong format. Use YYYY-MM-DDThh:mm:ss[.uuuuuu]Z.'],
    'payments[1].refunds[0].id': ['Enter 1 to 64 printable characters without spaces.'],
    'payments[1].refunds[0].status': ['"pending" is not a valid choice.'],
    'payments[1].refunds[0].updated': ['Datetime has wrong format. Use YYYY-MM-DDThh:mm:ss[.uuuuuu]Z.']
  })
  for (const created of ['2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T24:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01 00:00:00Z', '0050-01-01T00:00:00Z']) {
    assertInvalid(t, await putSnapshot(app, { payments: [{ workspace: 'a', id: 1, amount: 9, created }] }), { 'payments[0].created': ['Datetime has wrong format. Use YYYY-MM-DDThh:mm:ss[.uuuuuu]Z.'] }, created)
  }
  assertInvalid(t, await putSnapshot(app, { payments: [{ workspace: 'a', id: 1, amount: 9, refunds: [{ id: 'ref_same', amount: 1, reason: 'duplicate', receipt: 'r' }, { id: 'ref_same', amount: 1, reason: 'duplicate', receipt: 'r' }, 'x'] }] }), {
    'payments[0].refunds[1].id': ['Duplicates payments[0].refunds[0].id.'],
    'payments[0].refunds[2]': ['Expected an object.']
  })
  // metadata the API itself would refuse to store or answer
  assertInvalid(t, await putSnapshot(app, '{"payments":[{"workspace":"a","id":1,"amount":9,"refunds":[{"amount":1,"reason":"duplicate","receipt":"r","metadata":{"x":1e400}},{"amount":1,"reason":"duplicate","receipt":"r","metadata":{"\\ud800":1}}]}]}'), {
    'payments[0].refunds[0].metadata': ['Value must be valid JSON.'],
    'payments[0].refunds[1].metadata': ['Surrogate characters are not allowed: U+D800.']
  })
  // a refund id that exists outside the replaced scope
  const taken = JSON.parse(before).payments[3].refunds[0].id as string
  assertInvalid(t, await putSnapshot(app, { payments: [{ workspace: 'acc_1', id: 3, amount: 9, refunds: [{ id: taken, amount: 1, reason: 'duplicate', receipt: 'r' }] }] }, { 'x-simple-workspace': 'acc_1' }), {
    'payments[0].refunds[0].id': [`A refund with id ${taken} already exists.`]
  })
  assertInvalid(t, await putSnapshot(app, '[]'), { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] })
  assertInvalid(t, await putSnapshot(app, '{}'), { payments: ['This field is required.'] })
  t.equal((await putSnapshot(app, '{')).statusCode, 400)
  t.equal((await getSnapshot(app)).body, before, 'nothing was written')
})

t.test('a database that refuses writes: 503, nothing replaced', async t => {
  const { app, db } = await build(t)
  await fill(app)
  const before = (await getSnapshot(app)).body
  db.pragma('query_only = 1')
  const res = await putSnapshot(app, { payments: [] })
  t.equal(res.statusCode, 503)
  t.strictSame(res.json(), { detail: 'The database is read-only; nothing was written.' })
  db.pragma('query_only = 0')
  t.equal((await getSnapshot(app)).body, before)
})

t.test('metadata and money round-trip as the API wrote them: key order, floats, big ints', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const created = await postRefund(app, '{"payment":7,"amount":"0.50","reason":"duplicate","receipt":"R","metadata":{"2":1.0,"1":12345678901234567890,"a":{"0":-0.0}}}')
  assertRefund(t, created)
  const metadata = '"metadata":{"2":1.0,"1":12345678901234567890,"a":{"0":-0.0}}'
  t.ok(created.body.includes(metadata))
  const exported = (await getSnapshot(app)).body
  t.ok(exported.includes('"amount":100.0,'), 'money as DRF writes it')
  t.ok(exported.includes(metadata))
  t.equal((await putSnapshot(app, exported)).statusCode, 200)
  t.equal((await getSnapshot(app)).body, exported, 'byte for byte')
  t.ok((await getPayment(app, 7)).body.includes(`"amount":0.5,"balance":99.5,"reason":"duplicate","note":null,"receipt":"R","status":"succeeded",${metadata}`))
})

t.test('a snapshot over 1 MiB restores (its route has a limit of its own, SNAPSHOT_MAX_BYTES), and exports the same', async t => {
  const { app } = await build(t)
  const payments = Array.from({ length: 12_000 }, (_, i) => ({ workspace: 'acc_1', id: i + 1, amount: 100, refunds: [{ amount: 1, reason: 'duplicate', receipt: `R-${i}` }] }))
  t.equal((await putSnapshot(app, { payments })).statusCode, 200)
  const exported = (await getSnapshot(app)).body
  t.ok(exported.length > 4 * 1024 * 1024, `${exported.length} bytes`)
  const { app: other } = await build(t)
  const res = await putSnapshot(other, exported)
  t.equal(res.statusCode, 200, res.body.slice(0, 200))
  t.strictSame(res.json().imported, { payments: 12_000, refunds: 12_000 })
  t.equal((await getSnapshot(other)).body, exported, 'byte for byte')
  // past the limit: a 413 that names the setting to raise
  const { app: small } = await build(t, { config: { SNAPSHOT_MAX_BYTES: 1024 * 1024 } })
  const refused = await putSnapshot(small, exported)
  t.equal(refused.statusCode, 413)
  t.strictSame(refused.json(), { detail: 'Request body is larger than the 1048576 bytes allowed (SNAPSHOT_MAX_BYTES).' })
  t.equal((await small.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'a', 'content-type': 'application/json' }, payload: ' '.repeat(1024 * 1024 + 1) })).json().detail,
    'Request body is larger than the 1048576 bytes allowed.', 'every other body: 1 MiB')
})

t.test('a payment with more refunds than one read takes: its refunds and the export come in order, whole', async t => {
  const { app } = await build(t)
  const refunds = Array.from({ length: 1200 }, (_, i) => ({ amount: 1, reason: 'duplicate', receipt: `R-${i}` }))
  t.equal((await putSnapshot(app, { payments: [{ workspace: 'acc_1', id: 7, amount: 10_000, refunds }] })).statusCode, 200)
  const payment = (await getPayment(app, 7)).json()
  t.equal(payment.refunds.length, 1200)
  t.strictSame(payment.refunds.map((r: { receipt: string }) => r.receipt), refunds.map(r => r.receipt), 'oldest first, none twice')
  t.equal(payment.refunds[1199].balance, 8800)
  const doc = (await getSnapshot(app)).json()
  t.equal(doc.payments[0].refunds.length, 1200)
})

t.test('ids never collide: a restored earlier run, the fixed clock reset, then new refunds', async t => {
  const clock = '2026-01-01T00:00:00Z'
  const { EmulatorClock, parseInstant } = await import('../../src/clock.js')
  const { app: first } = await build(t, { clock: new EmulatorClock(parseInstant(clock)) })
  for (let id = 1; id <= 3; id++) await createPayment(first, { id, amount: 100 })
  for (let i = 0; i < 5; i++) assertRefund(t, await postRefund(first, refundBody({ payment: 1 + (i % 3), receipt: `R-${i}` })))
  const snapshot = (await getSnapshot(first)).body
  const { app: next } = await build(t, { clock: new EmulatorClock(parseInstant(clock)) })
  t.equal((await putSnapshot(next, snapshot)).statusCode, 200)
  t.equal((await next.inject({ method: 'POST', url: '/__admin/clock', headers: { 'content-type': 'application/json' }, payload: '{"reset": true}' })).statusCode, 200)
  const ids = new Set(JSON.parse(snapshot).payments.flatMap((p: { refunds: Array<{ id: string }> }) => p.refunds.map(r => r.id)))
  for (let i = 0; i < 5; i++) {
    const body = assertRefund(t, await postRefund(next, refundBody({ payment: 1 + (i % 3), receipt: `N-${i}` })))
    t.notOk(ids.has(body.id as string), 'a new id')
    ids.add(body.id as string)
  }
  // an imported id the next refund would draw (its time part later than its `created`): the refund draws again
  const { app: third } = await build(t, { clock: new EmulatorClock(parseInstant(clock)) })
  const taken = 'ref_06474846204001000000000001' // 2026-01-01T00:00:00.000001Z, counter 1
  t.equal((await putSnapshot(third, { payments: [{ workspace: 'acc_1', id: 7, amount: 10, created: '2026-01-01T00:00:00Z', refunds: [{ id: taken, amount: 1, reason: 'duplicate', receipt: 'R', created: '2026-01-01T00:00:00Z' }] }] })).statusCode, 200)
  const made = assertRefund(t, await postRefund(third, refundBody({ amount: 1 })))
  t.equal(made.id, 'ref_06474846204002000000000002', 'not the taken one: the next time and counter')
  // a refund imported without an id draws one too, never one of the document's
  const { app: fourth } = await build(t, { clock: new EmulatorClock(parseInstant(clock)) })
  const own = 'ref_06474846204000000000000001' // 2026-01-01T00:00:00Z, counter 1: what the next one would draw
  const doc = { payments: [{ workspace: 'acc_1', id: 7, amount: 10, refunds: [{ id: own, amount: 1, reason: 'duplicate', receipt: 'A', created: '2026-01-01T00:00:00Z' }, { amount: 1, reason: 'duplicate', receipt: 'B', created: '2026-01-01T00:00:00Z' }] }] }
  t.equal((await putSnapshot(fourth, doc)).statusCode, 200)
  const drawn = (await getPayment(fourth, 7)).json().refunds.map((r: { id: string }) => r.id)
  t.equal(drawn[0], own)
  t.not(drawn[1], own)
})

t.test('workspaces no header can carry are refused where they enter', async t => {
  const { app } = await build(t)
  for (const workspace of ['ws\u2603', 'line\nbreak', ' padded', 'tab\t', '\u007f']) {
    const res = await putSnapshot(app, { payments: [{ workspace, id: 1, amount: 1 }] })
    t.equal(res.statusCode, 400, JSON.stringify(workspace))
    t.strictSame(res.json(), { 'payments[0].workspace': ['Enter a workspace an x-simple-workspace header can carry: printable ASCII (or bytes 0x80-0xFF, read as Latin-1), with no control characters and no spaces around it.'] })
  }
  t.equal((await putSnapshot(app, { payments: [{ workspace: 'caf\u00e9 shop', id: 1, amount: 1 }] })).statusCode, 200, 'Latin-1 and inner spaces are what a header can carry')
  // the programmatic API injects its requests, the one way such a header could arrive
  const res = await app.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'ws\u2603', 'content-type': 'application/json' }, payload: '{"amount": 1}' })
  assertInvalid(t, res, { non_field_errors: ['Enter a workspace an x-simple-workspace header can carry: printable ASCII (or bytes 0x80-0xFF, read as Latin-1), with no control characters and no spaces around it.'] })
})
