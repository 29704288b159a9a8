// What the client sees when the database cannot be written or the code fails: 503 / 500, never a stack trace.
import t from 'tap'
import { startPiriodMock } from '../../src/index.js'
import { assertDetail, build, createPayment, postRefund, refundBody } from '../helper.js'
import { createRefundStore } from '../../src/db/refund-store.js'
import { systemClock } from '../../src/clock.js'
import { unavailableError } from '../../src/errors.js'

t.test('a database that refuses writes: 503, nothing written', async t => {
  const { app, db } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  db.pragma('query_only = 1')
  const readOnly = 'The database is read-only; nothing was written.'
  assertDetail(t, await postRefund(app, refundBody()), 503, readOnly)
  const payment = await app.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, payload: '{"amount":1}' })
  assertDetail(t, payment, 503, readOnly)
  assertDetail(t, await app.inject({ method: 'POST', url: '/__admin/reset' }), 503, readOnly)
  db.pragma('query_only = 0')
  t.equal(db.prepare('SELECT count(*) FROM refunds').pluck().get(), 0)
  t.equal((await postRefund(app, refundBody())).statusCode, 201, 'and recovers')
})

t.test('SQLite errors that mean "unavailable"', async t => {
  for (const [code, status] of [['SQLITE_CORRUPT', 503], ['SQLITE_NOTADB', 503], ['SQLITE_BUSY', 503], ['SQLITE_BUSY_SNAPSHOT', 503], ['SQLITE_FULL', 503], ['SQLITE_IOERR_WRITE', 503], ['SQLITE_READONLY_DBMOVED', 503], ['SQLITE_CANTOPEN', 503], ['SQLITE_LOCKED', 503]] as const) {
    t.equal(unavailableError(Object.assign(new Error('x'), { code }))?.statusCode, status, code)
  }
  t.equal(unavailableError(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_CHECK' })), undefined)
  t.equal(unavailableError(new Error('no code')), undefined)
  t.equal(unavailableError(null), undefined)
})

t.test('an unexpected error: 500 {"detail": "A server error occurred."}, the stack only in the log', async t => {
  const logs: string[] = []
  const { app, db } = await build(t)
  app.log.error = ((obj: unknown) => { logs.push(JSON.stringify(obj, Object.getOwnPropertyNames(obj as object))) }) as typeof app.log.error
  await createPayment(app, { id: 7, amount: 100 })
  db.close()
  const res = await postRefund(app, refundBody())
  t.equal(res.statusCode, 500)
  t.equal(res.body, '{"detail":"A server error occurred."}')
  t.equal(res.headers['content-type'], 'application/json')
  t.notOk(res.body.includes('at '), 'no stack on the wire')
  const payment = await app.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, payload: '{"amount":1}' })
  t.equal(payment.statusCode, 500)
  t.equal(payment.body, '{"detail":"A server error occurred."}')
})

t.test('a payment lookup that fails (here: the table gone) answers 500 for each request of its batch, then recovers', async t => {
  const { app, db } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  db.exec('ALTER TABLE payments RENAME TO payments_away')
  const failed = await Promise.all([1, 2].map(() => postRefund(app, refundBody({ amount: 'x' }))))
  for (const res of failed) assertDetail(t, res, 500, 'A server error occurred.')
  db.exec('ALTER TABLE payments_away RENAME TO payments')
  t.equal((await postRefund(app, refundBody({ amount: 'x' }))).statusCode, 400)
})

t.test('a full disk: 503 for the whole batch, nothing partial', async t => {
  const { app, db } = await build(t)
  await createPayment(app, { id: 7, amount: 100000 })
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`)
  const big = 'x'.repeat(3000)
  const results = await Promise.all([1, 2, 3].map(() => postRefund(app, refundBody({ metadata: { big } }))))
  for (const res of results) assertDetail(t, res, 503, /^The database is full: it holds MAX_DB_BYTES, or its disk is full; nothing was written\./)
  t.equal(db.prepare('SELECT count(*) FROM refunds').pluck().get(), 0)
  t.equal(db.prepare('SELECT refunded FROM payments').pluck().get(), 0)
  db.pragma('max_page_count = 1073741823')
  t.equal((await postRefund(app, refundBody({ metadata: { big } }))).statusCode, 201, 'and recovers once there is room')
})

t.test('framework errors without a translation keep their status and message', async t => {
  const { app } = await build(t)
  app.get('/__test/teapot', async () => { throw Object.assign(new Error('short and stout'), { statusCode: 418 }) })
  assertDetail(t, await app.inject({ method: 'GET', url: '/__test/teapot' }), 418, 'short and stout')
})

t.test('one refund failing a constraint inside a batch does not take the others down', async t => {
  const { app, db } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const store = createRefundStore(db, systemClock())
  const partition = { workspace: 'acc_1', testMode: false }
  const good = { paymentId: 7, amount: 100, reason: 'duplicate' as const, note: null, receipt: 'R', metadata: '{}' }
  const results = await Promise.allSettled([
    store.create(partition, good),
    store.create(partition, { ...good, reason: 'bogus' as 'duplicate' }),
    store.create(partition, good)
  ])
  t.match(results[0], { status: 'fulfilled', value: { kind: 'created', refund: { balance: 9900 } } }, 'stores speak minor units')
  t.match(results[1], { status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_CHECK' } })
  t.match(results[2], { status: 'fulfilled', value: { kind: 'created', refund: { balance: 9800 } } })
  t.equal(db.prepare('SELECT refunded FROM payments').pluck().get(), 200)
})

t.test('MAX_DB_BYTES: a write past it is a 503 that names it, and a reset makes room again', async t => {
  const mock = await startPiriodMock({ maxDbBytes: 2 * 1024 * 1024 })
  t.teardown(() => mock.close())
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 1_000_000 })
  const metadata = { big: 'x'.repeat(200_000) }
  const post = () => fetch(`${mock.url}/refunds/`, { method: 'POST', headers: { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, body: JSON.stringify(refundBody({ metadata })) })
  let status = 201
  let stored = 0
  let answer: unknown
  for (let i = 0; i < 20 && status === 201; i++) {
    const res = await post()
    status = res.status
    answer = await res.json()
    if (status === 201) stored++
  }
  t.equal(status, 503, `refused after ${stored} refunds of 200 KB`)
  t.ok(stored >= 5 && stored <= 11, 'about 2 MiB was stored')
  t.match(answer, { detail: /^The database is full: it holds MAX_DB_BYTES, or its disk is full; nothing was written\. Delete data \(POST \/__admin\/reset\) or raise MAX_DB_BYTES\.$/ })
  t.equal((await mock.payment(7, { workspace: 'acc_1' }))?.refunds.length, stored, 'nothing of the refused refund')
  await mock.reset()
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 1_000_000 })
  t.equal((await post()).status, 201, 'room again after a reset')
})
