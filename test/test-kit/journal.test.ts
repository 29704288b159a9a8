// The request journal (GET/DELETE /__admin/requests) and its duplicate detector.
import t from 'tap'
import { createJournal } from '../../src/test-kit/journal.js'
import { JOURNAL_BODY_CHARS as BODY_LIMIT } from '../../src/test-kit/journal-capture.js'
import { seqOf } from '../../src/test-kit/journal-json.js'
import { journalPage } from '../../src/test-kit/journal-page.js'
import { redactAuthorization } from '../../src/redact.js'
import { assertInvalid, build, createPayment, postRefund, refundBody } from '../helper.js'
import type { App } from '../../src/app.js'

const requests = async (app: App, query = '', headers: Record<string, string> = {}) => {
  const res = await app.inject({ method: 'GET', url: `/__admin/requests${query}`, headers })
  t.equal(res.statusCode, 200, res.body)
  return res.json() as { count: number, next: string | null, results: Array<Record<string, any>> }
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
  // headers a client repeats are kept joined, as Node joins them (and cookies redacted one by one)
  await app.inject({ method: 'GET', url: '/twice', headers: { 'set-cookie': ['a=1', 'b=2'], 'x-trace': ['t1', 't2'] } })
  const twice = (await requests(app, '?path=/twice')).results[0]?.request.headers
  t.equal(twice['set-cookie'], 'a=…, b=…')
  t.equal(twice['x-trace'], 't1, t2')
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
  t.equal((await requests(app, '?limit=1001')).results.length, 6, 'a limit above JOURNAL_SIZE answers what there is')
  t.equal((await requests(app, '?limit=9007199254740991')).results.length, 6)
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
  const journal = createJournal({ size: 3, maxBytes: 1 << 20, duplicateWindowMs: 1000 })
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
    hiddenResponse: null,
    durationMs: 1,
    fault: null,
    duplicateKey: key
  })
  for (let n = 1; n <= 5; n++) journal.add(entry(n))
  const all = { workspace: null, testMode: null }
  t.strictSame(journal.list(all, {}).map(e => e.path), ['/p5', '/p4', '/p3'])
  t.equal(journal.clear({ workspace: 'odd', testMode: null }), 2)
  t.strictSame(journal.list(all, {}).map(e => e.path), ['/p4'])
  journal.add(entry(6))
  journal.add(entry(7))
  journal.add(entry(8))
  t.strictSame(journal.list(all, {}).map(e => e.path), ['/p8', '/p7', '/p6'])
  const off = createJournal({ size: 0, maxBytes: 1 << 20, duplicateWindowMs: 1000 })
  t.equal(off.add(entry(1)), null)
  t.strictSame(off.list(all, {}), [])
  t.equal(off.clear(all), 0)
  t.equal(redactAuthorization('Token abcdefgh1234'), 'Token …1234')
  t.equal(redactAuthorization('Token short'), 'Token …', 'a short token shows nothing')
  t.equal(redactAuthorization('Bearer  a b  c-much-longer'), 'Bearer …nger')
  t.equal(redactAuthorization(''), '…')
})

t.test('JOURNAL_SIZE=0 turns the journal off', async t => {
  const { app } = await build(t, { config: { JOURNAL_SIZE: 0 } })
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody())
  t.strictSame(await requests(app), { count: 0, next: null, results: [] })
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

t.test('bounded in bytes: JOURNAL_MAX_BYTES evicts the oldest entries, header values are cut, answers are paged', async t => {
  const maxBytes = 1024 * 1024
  const { app } = await build(t, { config: { JOURNAL_SIZE: 100_000, JOURNAL_MAX_BYTES: maxBytes } })
  await createPayment(app, { id: 7, amount: 1_000_000 })
  const header = 'h'.repeat(12_000)
  const sent = 160 // each ~60 KB of body and header: about nine times the budget
  for (let i = 0; i < sent; i++) {
    await postRefund(app, refundBody({ receipt: `R-${i}`, metadata: { pad: 'p'.repeat(48_000) } }), { 'x-big': header })
  }
  // bodies of control characters: one byte each in memory, six in a JSON answer (\u0001)
  for (let i = 0; i < 40; i++) await postRefund(app, Buffer.alloc(16_000, 1))
  const { entries, bytes } = app.journal.stats
  t.ok(bytes <= maxBytes, `${bytes} bytes kept, within ${maxBytes}`)
  t.ok(entries > 5 && entries < sent, `${entries} entries kept of ${sent + 40}`)
  const first = await requests(app, '?limit=1')
  t.equal(first.count, entries)
  const newest = first.results[0]
  t.equal(newest?.request.body, '\u0001'.repeat(16_000))
  const big = (await requests(app, '?status=201&limit=1')).results[0]
  t.equal(big?.request.body.truncated, true)
  t.equal(big?.request.headers['x-big'], `${'h'.repeat(1024)}…[truncated: 12000 bytes]`, 'a long header value is cut and marked')
  t.match(first.next, /^\/__admin\/requests\?limit=1&before=req_\d{8}$/)

  // a limit far above what is there: one page no larger than the budget, then the rest through `next`
  const res = await app.inject({ method: 'GET', url: '/__admin/requests?limit=100000' })
  t.ok(res.rawPayload.length <= maxBytes, `the answer is ${res.rawPayload.length} bytes`)
  const seen: string[] = []
  let page = res.json() as { count: number, next: string | null, results: Array<{ id: string, request: { body: { text: string } } }> }
  for (;;) {
    seen.push(...page.results.map(e => e.id))
    if (page.next === null) break
    const more = await app.inject({ method: 'GET', url: page.next })
    t.ok(more.rawPayload.length <= maxBytes)
    page = more.json()
  }
  t.equal(seen.length, entries, 'the pages hold every entry once')
  t.strictSame(seen, [...seen].sort().reverse(), 'newest first, across pages')
  t.ok(seen.length > 1 && res.json().results.length < seen.length, 'the first page stopped at the budget')
  assertInvalid(t, await app.inject({ method: 'GET', url: '/__admin/requests?before=42' }), { before: ['Enter a request id such as "req_00000042".'] })
  t.strictSame(await requests(app, '?before=req_00000001'), { count: entries, next: null, results: [] }, 'nothing is older than the first')
  const before = await requests(app, `?before=${seen[1] as string}`)
  t.equal(before.results[0]?.id, seen[2], 'before is exclusive')
  t.equal(before.count, entries, 'count is the whole match, whatever the page')
})

t.test('pages, directly: next keeps the query and sets before', async t => {
  const journal = createJournal({ size: 10, maxBytes: 1 << 20, duplicateWindowMs: 0 })
  for (let n = 0; n < 3; n++) {
    journal.add({ time: n, method: 'GET', path: '/x', query: null, headers: {}, workspace: null, testMode: null, requestBody: null, status: 404, responseBody: null, hiddenResponse: null, durationMs: 0, fault: null, duplicateKey: null })
  }
  const all = journal.list({ workspace: null, testMode: null }, {})
  const page = (url: string, limit: number, before: number | null = null) =>
    JSON.parse(journalPage(all, { filter: {}, limit, before }, 1 << 20, url)) as { count: number, next: string | null, results: Array<{ id: string }> }
  t.equal(page('/__admin/requests', 1).next, '/__admin/requests?before=req_00000003')
  t.equal(page('/__admin/requests?path=/x&before=req_00000003&limit=1', 1, 3).next, '/__admin/requests?path=/x&limit=1&before=req_00000002')
  t.equal(page('/__admin/requests', 5).next, null)
  t.strictSame(page('/__admin/requests', 5, 2).results.map(e => e.id), ['req_00000001'])
  t.equal(seqOf('req_00000042'), 42)
  for (const bad of ['req_', 'req_x1', 'REQ_1', 'req_1234567890123456', ' req_1']) t.equal(seqOf(bad), null, bad)
})

t.test('redaction: every credential-bearing header and query parameter, whatever its shape', async t => {
  const { app } = await build(t)
  const headers = {
    authorization: 'sk_live_abcdefghij1234',
    'proxy-authorization': 'Basic dXNlcjpwYXNzd29yZA==',
    cookie: 'sid=s3cr3t-session-value; theme=dark',
    'x-api-key': 'key_0123456789abcd',
    'x-session-id': 'short',
    'x-refresh-token': 'rt_9999999999zzzz',
    'x-client-secret': 'cs_live_5555abcd',
    'x-password': 'hunter2hunter2',
    'x-simple-workspace': 'acc_1',
    'user-agent': 'curl/8.0'
  }
  await app.inject({ method: 'POST', url: '/refunds/?api_key=qk_123456789wxyz&Password=p&page=2&token&x_key=%zz_not_encoded', headers, payload: '{}' })
  const entry = (await requests(app)).results[0]
  t.strictSame(entry?.request.headers, {
    authorization: '…1234',
    'proxy-authorization': 'Basic …ZA==',
    cookie: 'sid=…alue; theme=…',
    'x-api-key': '…abcd',
    'x-session-id': '…',
    'x-refresh-token': '…zzzz',
    'x-client-secret': '…abcd',
    'x-password': '…ter2',
    'x-simple-workspace': 'acc_1',
    'user-agent': 'curl/8.0',
    'content-length': '2',
    host: 'localhost:80'
  })
  t.equal(entry?.query, 'api_key=…wxyz&Password=…&page=2&token&x_key=…oded', 'a value that is not valid percent-encoding is masked as sent')
  const text = JSON.stringify(entry)
  for (const secret of ['abcdefghij', 'dXNlcjpw', 's3cr3t', '0123456789', 'rt_9999', 'cs_live', 'hunter2', 'qk_123']) t.notOk(text.includes(secret), secret)
})

t.test('admin calls are told by the route they match, not by the URL as sent', async t => {
  const { app } = await build(t, { config: { LATENCY_MS: 5000 } })
  await createPayment(app, { id: 7, amount: 100 })
  t.equal((await addFault(app, { match: { path: '/*' }, action: { drop_connection: true }, times: 0 })).statusCode, 201)
  const reset = await app.inject({ method: 'POST', url: '/%5F%5Fadmin/reset' })
  t.equal(reset.statusCode, 200, 'routed to the admin API, which no fault rule and no latency touch')
  t.strictSame(reset.json(), { payments: 1, refunds: 0 })
  t.equal((await requests(app)).count, 0, 'and not journaled as a call to the emulated API')
})

const addFault = (app: App, body: unknown) =>
  app.inject({ method: 'POST', url: '/__admin/faults', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })

t.test('bodies are kept as they were sent and answered: numbers and key order as written', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const sent = '{"payment":7,"amount":25,"reason":"duplicate","receipt":"R","metadata":{"2":1.0,"1":12345678901234567890}}'
  await postRefund(app, sent)
  await postRefund(app, '{"payment":7,"amount":1e400,"reason":"x"')
  const page = (await app.inject({ method: 'GET', url: '/__admin/requests' })).body
  t.ok(page.includes('"request":{"headers":'), page.slice(0, 200))
  t.ok(page.includes(`"body":${sent}}`), 'the request body as sent')
  t.ok(page.includes('"amount":25.0,"balance":75.0'), 'the answer as DRF writes it')
  t.ok(page.includes('"body":"{\\"payment\\":7,\\"amount\\":1e400,\\"reason\\":\\"x\\""'), 'a body that is not JSON, as text')
  t.equal((JSON.parse(page) as { count: number }).count, 2, 'and the page is JSON')
})
