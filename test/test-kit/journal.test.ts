// The request journal (GET/DELETE /__admin/requests) and its duplicate detector.
import t from 'tap'
import { BODY_LIMIT, createJournal, redactAuthorization } from '../../src/journal.js'
import { assertInvalid, build, createPayment, postRefund, refundBody } from '../helper.js'
import type { App } from '../../src/app.js'

const requests = async (app: App, query = '', headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'GET', url: `/__admin/requests${query}`, headers })
  t.equal(res.statusCode, 200, res.body)
  return res.json() as { count: number, results: Array<Record<string, any>> }
}

t.test('every request to the emulated API is recorded, newest first', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody({ amount: '12.50', metadata: { order: 'A-1' } }), { authorization: 'Token tok_secret_1234' })
  await postRefund(app, refundBody({ amount: 'x' }), { 'x-piriod-test-mode': 'true' })
  await app.inject({ method: 'GET', url: '/nowhere?x=1' })
  await app.inject({ method: 'POST', url: '/refunds', headers: { 'content-type': 'application/json' }, payload: '{}' })
  await app.inject({ method: 'GET', url: '/__admin/health' })
  const page = await requests(app)
  t.equal(page.count, 4, 'the admin API is not recorded')
  t.strictSame(page.results.map(e => [e.method, e.path, e.response.status]), [['POST', '/refunds', 301], ['GET', '/nowhere', 404], ['POST', '/refunds/', 400], ['POST', '/refunds/', 201]])
  const [, notFound, invalid, created] = page.results
  t.match(created, {
    id: /^req_\d{8}$/,
    time: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    method: 'POST',
    path: '/refunds/',
    query: null,
    workspace: 'acc_1',
    test_mode: false,
    request: {
      headers: { authorization: 'Token …1234', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' },
      body: { payment: 7, amount: '12.50', reason: 'duplicate', receipt: 'R-1', metadata: { order: 'A-1' } }
    },
    response: { status: 201, body: { payment: 7, amount: 12.5, balance: 87.5, status: 'succeeded' } },
    possible_duplicate: false,
    fault: null
  })
  t.ok(created?.duration_ms >= 0)
  t.notOk(JSON.stringify(page).includes('tok_secret'), 'no token appears in the journal')
  t.match(invalid, { test_mode: true, response: { status: 400, body: { amount: ['A valid number is required.'] } } })
  t.match(notFound, { query: 'x=1', workspace: null, request: { body: null }, response: { status: 404 } })
  // headers a client repeats are kept joined, as Node joins them
  await app.inject({ method: 'GET', url: '/twice', headers: { 'set-cookie': ['a=1', 'b=2'] } })
  t.equal((await requests(app, '?path=/twice')).results[0]?.request.headers['set-cookie'], 'a=1, b=2')
  t.equal((await requests(app, '?status=201&status=404')).count, 2, 'a repeated query parameter counts once, the last')
})

t.test('filters, limit, scope and clearing', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 7, amount: 100, workspace: 'acc_2' })
  for (let i = 0; i < 3; i++) await postRefund(app, refundBody())
  await postRefund(app, refundBody(), { 'x-simple-workspace': 'acc_2' })
  await postRefund(app, refundBody(), { 'x-simple-workspace': 'acc_2', 'x-piriod-test-mode': 'yes' })
  await app.inject({ method: 'GET', url: '/refunds/', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1' } })
  t.equal((await requests(app)).count, 6)
  t.equal((await requests(app, '?method=get')).count, 1)
  t.equal((await requests(app, '?status=201')).count, 4)
  t.equal((await requests(app, '?status=400')).count, 1, 'the test-mode payment does not exist')
  t.equal((await requests(app, '?path=/refunds/&status=405')).count, 1)
  t.equal((await requests(app, '?path=/nope')).count, 0)
  const limited = await requests(app, '?limit=2')
  t.equal(limited.count, 6)
  t.equal(limited.results.length, 2)
  t.equal((await requests(app, '', { 'x-simple-workspace': 'acc_2' })).count, 2)
  t.equal((await requests(app, '', { 'x-simple-workspace': 'acc_2', 'x-piriod-test-mode': 'false' })).count, 1)
  t.equal((await requests(app, '', { 'x-piriod-test-mode': 'true' })).count, 1)
  assertInvalid(t, await app.inject({ method: 'GET', url: '/__admin/requests?status=abc&limit=0' }), {
    status: ['A valid integer is required.'], limit: ['Ensure this value is greater than or equal to 1.']
  })
  assertInvalid(t, await app.inject({ method: 'GET', url: '/__admin/requests?limit=1001' }), { limit: ['Ensure this value is less than or equal to 1000.'] })
  assertInvalid(t, await app.inject({ method: 'GET', url: '/__admin/requests', headers: { 'x-piriod-test-mode': 'maybe' } }), {
    non_field_errors: [(await import('../../src/partition.js')).TEST_MODE_INVALID]
  })
  const cleared = await app.inject({ method: 'DELETE', url: '/__admin/requests', headers: { 'x-simple-workspace': 'acc_2' } })
  t.strictSame(cleared.json(), { deleted: 2 })
  t.equal((await requests(app)).count, 4)
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__admin/requests' })).json(), { deleted: 4 })
  t.equal((await requests(app)).count, 0)
  t.equal((await app.inject({ method: 'PUT', url: '/__admin/requests' })).statusCode, 405)
})

t.test('bounded: the journal stays at JOURNAL_SIZE after 10 times as many requests', async t => {
  const size = 20
  const { app } = await build(t, { config: { JOURNAL_SIZE: size } })
  await createPayment(app, { id: 7, amount: 1000 })
  for (let i = 0; i < 10 * size; i++) await postRefund(app, refundBody({ amount: 1, receipt: `R-${i}` }))
  const page = await requests(app, '?limit=20')
  t.equal(page.count, size)
  t.strictSame(page.results.map(e => e.request.body.receipt), Array.from({ length: size }, (_, i) => `R-${10 * size - 1 - i}`), 'the newest, oldest dropped first')
  // memory per entry is bounded too: a large body is kept cut, in a string of its own
  const big = 'x'.repeat(BODY_LIMIT * 3)
  const answer = await postRefund(app, refundBody({ metadata: { big } }))
  t.equal(answer.json().metadata.big.length, BODY_LIMIT * 3, 'the answer itself is whole')
  const entry = (await requests(app, '?limit=1')).results[0]
  t.match(entry?.request.body, { truncated: true, bytes: Number })
  t.equal(entry?.request.body.text.length, BODY_LIMIT)
  t.ok(entry?.request.body.bytes > BODY_LIMIT * 3)
  t.match(entry?.response.body, { truncated: true, text: String })
  t.equal(entry?.response.body.text.length, BODY_LIMIT)
})

t.test('the ring, directly', async t => {
  const journal = createJournal(3, 1000)
  const entry = (n: number, key: string | null = null, time = n) => ({
    time,
    method: 'POST',
    path: `/p${n}`,
    query: null,
    headers: {},
    workspace: n % 2 === 0 ? 'even' : 'odd',
    testMode: false,
    requestBody: null,
    status: 201,
    responseBody: null,
    durationMs: 1,
    fault: null,
    duplicateKey: key
  })
  for (let n = 1; n <= 5; n++) journal.add(entry(n))
  const all = { workspace: null, testMode: null }
  t.strictSame(journal.list(all, {}, 10).entries.map(e => e.path), ['/p5', '/p4', '/p3'])
  t.equal(journal.clear({ workspace: 'odd', testMode: null }), 2)
  t.strictSame(journal.list(all, {}, 10).entries.map(e => e.path), ['/p4'])
  journal.add(entry(6))
  journal.add(entry(7))
  journal.add(entry(8))
  t.strictSame(journal.list(all, {}, 10).entries.map(e => e.path), ['/p8', '/p7', '/p6'])
  const off = createJournal(0, 1000)
  t.equal(off.add(entry(1)), null)
  t.strictSame(off.list(all, {}, 10), { count: 0, entries: [] })
  t.equal(off.clear(all), 0)
  t.equal(redactAuthorization('Token abcdefgh1234'), 'Token …1234')
  t.equal(redactAuthorization('Token short'), 'Token …', 'a short token shows nothing')
  t.equal(redactAuthorization('Bearer  a b  c-much-longer'), 'Bearer …nger')
  t.equal(redactAuthorization(''), ' …')
})

t.test('JOURNAL_SIZE=0 turns the journal off', async t => {
  const { app } = await build(t, { config: { JOURNAL_SIZE: 0 } })
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody())
  t.strictSame(await requests(app), { count: 0, results: [] })
})

t.test('possible duplicates: the same refund of a payment twice within DUPLICATE_WINDOW_MS', async t => {
  const { app } = await build(t, { config: { DUPLICATE_WINDOW_MS: 60_000 } })
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 8, amount: 100, refundOutcome: 'failed' })
  await postRefund(app, refundBody({ amount: 5, receipt: 'R-1' }))
  await postRefund(app, refundBody({ amount: 5, receipt: 'R-2' }))
  await postRefund(app, refundBody({ amount: 6, receipt: 'R-1' }))
  await postRefund(app, refundBody({ amount: 5, receipt: 'R-1' }), { 'x-piriod-test-mode': 'true' })
  await postRefund(app, refundBody({ payment: 8, amount: 5, receipt: 'R-1' }))
  await postRefund(app, refundBody({ payment: 8, amount: 5, receipt: 'R-1' }))
  t.strictSame((await requests(app)).results.map(e => e.possible_duplicate), [false, false, false, false, false, false], 'different refunds, failed ones, and a 400 are not duplicates')
  await postRefund(app, refundBody({ amount: '5.00', receipt: ' R-1 ' }))
  const flags = (await requests(app)).results.map(e => e.possible_duplicate)
  t.strictSame(flags, [true, false, false, false, false, false, true], 'the retry and the original are both flagged')

  const { app: quick } = await build(t, { config: { DUPLICATE_WINDOW_MS: 0 } })
  await createPayment(quick, { id: 7, amount: 100 })
  await postRefund(quick, refundBody())
  await new Promise(resolve => setTimeout(resolve, 5))
  await postRefund(quick, refundBody())
  t.strictSame((await requests(quick)).results.map(e => e.possible_duplicate), [false, false], 'outside the window')
})
