// Fault injection (/__admin/faults) and LATENCY_MS.
import t from 'tap'
import { request as httpRequest } from 'node:http'
import { assertInvalid, assertRefund, build, createPayment, getPayment, JSON_HEADERS, postRefund, refundBody } from '../helper.js'
import { MAX_RULES } from '../../src/test-kit/faults.js'
import type { App } from '../../src/app.js'

const addFault = (app: App, rule: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/__admin/faults', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(rule) })

const journal = async (app: App) => (await app.inject({ method: 'GET', url: '/__admin/requests' })).json().results as Array<Record<string, any>>

/** POSTs a refund over a real socket; resolves with the answer or with the socket error when the connection drops. */
function rawPost (url: string, body: unknown): Promise<{ status: number, body: string } | { error: string }> {
  return new Promise(resolve => {
    const req = httpRequest(`${url}/refunds/`, { method: 'POST', headers: JSON_HEADERS, agent: false }, res => {
      let text = ''
      res.setEncoding('utf8').on('data', c => { text += c }).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', err => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
    req.end(JSON.stringify(body))
  })
}

t.test('rules: add, list with how often each fired, delete all or one', async t => {
  const { app } = await build(t)
  const res = await addFault(app, { match: { method: 'post', path: '/refunds/' }, action: { status: 503 } })
  t.equal(res.statusCode, 201)
  t.strictSame(res.json(), { id: 'flt_1', match: { method: 'POST', path: '/refunds/' }, action: { status: 503 }, times: 1, fired: 0, active: true, workspace: null, test_mode: null })
  await addFault(app, { action: { delay_ms: 10 }, times: 0 }, { 'x-simple-workspace': 'acc_2' })
  const list = (await app.inject({ method: 'GET', url: '/__admin/faults' })).json()
  t.equal(list.count, 2)
  t.match(list.results[1], { id: 'flt_2', match: {}, times: 0, workspace: 'acc_2', test_mode: null })
  t.equal((await app.inject({ method: 'GET', url: '/__admin/faults', headers: { 'x-simple-workspace': 'acc_2' } })).json().count, 1, 'scoped')
  await addFault(app, { action: { status: 500 } }, { 'x-piriod-test-mode': 'true' })
  t.equal((await app.inject({ method: 'GET', url: '/__admin/faults', headers: { 'x-piriod-test-mode': 'true' } })).json().count, 1, 'scoped by mode')
  t.equal((await app.inject({ method: 'GET', url: '/__admin/faults', headers: { 'x-piriod-test-mode': 'false' } })).json().count, 0)
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__admin/faults', headers: { 'x-piriod-test-mode': 'true' } })).json(), { deleted: 1 })
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__admin/faults/flt_1', headers: { 'x-simple-workspace': 'acc_2' } })).json(), { detail: 'Not found.' }, 'not in that scope')
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__admin/faults/flt_1' })).json(), { deleted: 1 })
  t.strictSame((await app.inject({ method: 'DELETE', url: '/__admin/faults' })).json(), { deleted: 1 })
  t.equal((await app.inject({ method: 'GET', url: '/__admin/faults' })).json().count, 0)
})

t.test('rules: field-keyed 400s', async t => {
  const { app } = await build(t)
  assertInvalid(t, await addFault(app, {}), { action: ['This field is required.'] })
  assertInvalid(t, await addFault(app, { action: [] }), { action: ['Expected a dictionary of items but got type "list".'] })
  assertInvalid(t, await addFault(app, { action: {} }), { action: ['An action needs "status", "drop_connection" or "delay_ms".'] })
  assertInvalid(t, await addFault(app, { action: { status: 503, drop_connection: true } }), { action: ['"status" and "drop_connection" exclude each other.'] })
  assertInvalid(t, await addFault(app, { action: { delay_ms: 5, body: {} } }), { action: ['"body" and "headers" go with "status".'] })
  assertInvalid(t, await addFault(app, { action: { delay_ms: 5, after_commit: true } }), { action: ['"after_commit" needs "status" or "drop_connection".'] })
  assertInvalid(t, await addFault(app, { match: 'x', action: { status: 99, delay_ms: 60001, drop_connection: 'yes', headers: { 'bad name': 'x' } }, times: -1 }), {
    match: ['Expected a dictionary of items but got type "str".'],
    'action.status': ['Ensure this value is greater than or equal to 200.'],
    'action.delay_ms': ['Ensure this value is less than or equal to 60000.'],
    'action.drop_connection': ['Must be a valid boolean.'],
    'action.headers': ['Header name "bad name" is not a valid HTTP header name.'],
    times: ['Ensure this value is greater than or equal to 0.']
  })
  assertInvalid(t, await addFault(app, { match: { method: 'P O', path: 'refunds' }, action: { status: 500, headers: [] } }), {
    'match.method': ['Enter an HTTP method such as "POST".'],
    'match.path': ['Enter a path starting with "/" (a trailing "*" matches any rest).'],
    'action.headers': ['Expected a dictionary of items but got type "list".']
  })
  assertInvalid(t, await addFault(app, { action: { status: 500, headers: { ok: 'a\r\nb' } } }), { 'action.headers': ['Header "ok" has a value with characters HTTP does not allow (control characters, line breaks).'] })
  // checked as Node checks what it sends: a rule Node could not send would answer every matching request with a 500
  assertInvalid(t, await addFault(app, { action: { status: 503, headers: { 'x-ctl': '\u0001', 'x-euro': '€', 'content-length': '5', 'x-n': 5 } } }), {
    'action.headers': [
      'Header "x-ctl" has a value with characters HTTP does not allow (control characters, line breaks).',
      'Header "x-euro" has a value with characters HTTP does not allow (control characters, line breaks).',
      'Header "content-length" is set by the server itself.',
      'Header "x-n" needs a string value.'
    ]
  })
  t.equal((await app.inject({ method: 'GET', url: '/__admin/faults' })).json().count, 0, 'nothing was added')
  t.equal((await app.inject({ method: 'POST', url: '/__admin/faults', headers: { 'content-type': 'application/json' }, payload: '[' })).statusCode, 400)
  for (let i = 0; i < MAX_RULES; i++) t.equal((await addFault(app, { action: { status: 500 }, times: 0, match: { path: `/x${i}` } })).statusCode, 201)
  assertInvalid(t, await addFault(app, { action: { status: 500 } }), { non_field_errors: [`At most ${MAX_RULES} fault rules; delete some first.`] })
})

t.test('a status fault answers instead of the API, before authentication, `times` times', async t => {
  const { app } = await build(t, { tokens: ['tok_test'] })
  await createPayment(app, { id: 7, amount: 100 })
  await addFault(app, { match: { path: '/refunds/' }, action: { status: 503, body: { detail: 'down for maintenance' }, headers: { 'retry-after': '7' } }, times: 2 })
  for (let i = 0; i < 2; i++) {
    const res = await postRefund(app, refundBody(), { authorization: 'Token wrong' })
    t.equal(res.statusCode, 503)
    t.equal(res.body, '{"detail":"down for maintenance"}')
    t.equal(res.headers['retry-after'], '7')
    t.equal(res.headers['content-type'], 'application/json')
  }
  t.equal((await postRefund(app, refundBody(), { authorization: 'Token wrong' })).statusCode, 401, 'exhausted after 2')
  const rules = (await app.inject({ method: 'GET', url: '/__admin/faults' })).json()
  t.match(rules.results[0], { fired: 2, active: false })
  t.equal((await getPayment(app, 7)).json().refunds.length, 0, 'nothing was stored')
  const [last, second, first] = await journal(app)
  t.strictSame(first?.fault, { rule: 'flt_1', rules: ['flt_1'], status: 503, delay_ms: 0, drop_connection: false, after_commit: false })
  t.match(first, { response: { status: 503 }, hidden_response: null }, 'answered before the handler: nothing was hidden')
  t.match(second, { fault: { rule: 'flt_1' } })
  t.match(last, { response: { status: 401 }, fault: null })
  // default body, and a match on method only
  await addFault(app, { match: { method: 'GET' }, action: { status: 500 } })
  await addFault(app, { match: { path: '/other' }, action: { status: 599 } })
  t.equal((await app.inject({ method: 'PUT', url: '/anything' })).statusCode, 404, 'another method: no fault')
  const res = await app.inject({ method: 'GET', url: '/anything' })
  t.equal(res.statusCode, 500)
  t.strictSame(res.json(), { detail: 'Internal Server Error (injected by piriod-mock)' })
  t.strictSame((await app.inject({ method: 'GET', url: '/other' })).json(), { detail: 'Error (injected by piriod-mock)' }, 'a status without a reason phrase')
})

t.test('faults are scoped: a rule made with workspace headers fires only for that partition', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 7, amount: 100, workspace: 'acc_2' })
  await addFault(app, { match: { path: '/refunds/*' }, action: { status: 502 }, times: 0 }, { 'x-simple-workspace': 'acc_2', 'x-piriod-test-mode': 'false' })
  assertRefund(t, await postRefund(app, refundBody()))
  t.equal((await postRefund(app, refundBody(), { 'x-simple-workspace': 'acc_2' })).statusCode, 502)
  t.equal((await postRefund(app, refundBody(), { 'x-simple-workspace': 'acc_2', 'x-piriod-test-mode': 'true' })).statusCode, 400, 'the other mode')
  t.equal((await app.inject({ method: 'GET', url: '/__admin/health', headers: { 'x-simple-workspace': 'acc_2' } })).statusCode, 200, 'the admin API is never faulted')
})

t.test('after_commit: the refund is stored, the client sees the fault', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await addFault(app, { match: { method: 'POST', path: '/refunds/' }, action: { status: 503, after_commit: true } })
  const res = await postRefund(app, refundBody({ amount: 40 }))
  t.equal(res.statusCode, 503)
  t.strictSame(res.json(), { detail: 'Service Unavailable (injected by piriod-mock)' })
  const payment = (await getPayment(app, 7)).json()
  t.equal(payment.balance, 60, 'the refund happened')
  t.equal(payment.refunds.length, 1)
  const [entry] = await journal(app)
  t.match(entry, { response: { status: 503 }, fault: { rule: 'flt_1', status: 503, after_commit: true } })
  t.match(entry?.hidden_response, { status: 201, body: { payment: 7, amount: 40.0, balance: 60.0, status: 'succeeded' } }, 'the journal keeps what the fault hid')
  t.equal(entry?.hidden_response.body.id, payment.refunds[0].id)
  // the client retries blindly: the duplicate detector sees it
  assertRefund(t, await postRefund(app, refundBody({ amount: 40 })))
  t.equal((await getPayment(app, 7)).json().balance, 20)
})

t.test('on a socket: drop_connection, before and after commit; delay_ms; LATENCY_MS', async t => {
  const { app } = await build(t, { path: `${t.testdir()}/faults.sqlite`, config: { LATENCY_MS: 30 } })
  await createPayment(app, { id: 7, amount: 100 })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  await addFault(app, { action: { drop_connection: true } })
  t.match(await rawPost(url, refundBody({ amount: 10 })), { error: /ECONNRESET|socket hang up/ })
  t.equal((await getPayment(app, 7)).json().balance, 100, 'dropped before the handler: nothing stored')
  await addFault(app, { action: { drop_connection: true, after_commit: true } })
  t.match(await rawPost(url, refundBody({ amount: 10 })), { error: /ECONNRESET|socket hang up/ })
  t.equal((await getPayment(app, 7)).json().balance, 90, 'dropped after the commit: stored')
  const entries = await journal(app)
  t.match(entries.slice(0, 2), [
    { response: null, fault: { drop_connection: true, after_commit: true }, hidden_response: { status: 201, body: { amount: 10.0, balance: 90.0 } } },
    { response: null, fault: { drop_connection: true, after_commit: false }, hidden_response: null }
  ])

  let began = Date.now()
  t.equal((await rawPost(url, refundBody({ amount: 1 })) as { status: number }).status, 201)
  t.ok(Date.now() - began >= 30, 'LATENCY_MS delays every answer')
  await addFault(app, { action: { delay_ms: 150 } })
  began = Date.now()
  t.equal((await rawPost(url, refundBody({ amount: 1 })) as { status: number }).status, 201)
  t.ok(Date.now() - began >= 180, 'delay_ms comes on top')
  t.ok((await journal(app))[0]?.duration_ms >= 180, 'the journal counts the delay')
  await addFault(app, { action: { status: 429, delay_ms: 100 } })
  began = Date.now()
  t.equal((await rawPost(url, refundBody({ amount: 1 })) as { status: number }).status, 429)
  t.ok(Date.now() - began >= 130, 'a delayed status fault')
  await addFault(app, { action: { drop_connection: true, delay_ms: 50 } })
  began = Date.now()
  t.match(await rawPost(url, refundBody({ amount: 1 })), { error: /ECONNRESET|socket hang up/ })
  t.ok(Date.now() - began >= 50)
  t.equal((await getPayment(app, 7)).json().balance, 88)
})

t.test('rules compose: every matching rule applies in creation order; the first status or drop decides', async t => {
  const { app } = await build(t, { path: `${t.testdir()}/compose.sqlite` })
  await createPayment(app, { id: 7, amount: 100 })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  // a delay that fires until removed no longer hides the rules made after it
  await addFault(app, { match: { path: '/refunds/' }, action: { delay_ms: 40 }, times: 0 })
  await addFault(app, { match: { path: '/refunds/' }, action: { delay_ms: 60 }, times: 1 })
  await addFault(app, { match: { path: '/refunds/' }, action: { status: 503 }, times: 1 })
  await addFault(app, { match: { path: '/refunds/' }, action: { status: 429 }, times: 1 })
  let began = Date.now()
  t.match(await rawPost(url, refundBody({ amount: 1 })), { status: 503 }, 'the first status rule decides')
  t.ok(Date.now() - began >= 100, 'the delays add up')
  const fired = async () => Object.fromEntries((await app.inject({ method: 'GET', url: '/__admin/faults' })).json().results.map((r: { id: string, fired: number }) => [r.id, r.fired]))
  t.strictSame(await fired(), { flt_1: 1, flt_2: 1, flt_3: 1, flt_4: 0 }, 'the second status rule did not apply, and did not count')
  t.strictSame((await journal(app))[0]?.fault, { rule: 'flt_3', rules: ['flt_1', 'flt_2', 'flt_3'], status: 503, delay_ms: 100, drop_connection: false, after_commit: false })
  t.match(await rawPost(url, refundBody({ amount: 1 })), { status: 429 }, 'now the next status rule decides')
  t.strictSame(await fired(), { flt_1: 2, flt_2: 1, flt_3: 1, flt_4: 1 })
  // a delay with an after-commit drop: both apply
  await addFault(app, { match: { path: '/refunds/' }, action: { drop_connection: true, after_commit: true } })
  began = Date.now()
  t.match(await rawPost(url, refundBody({ amount: 1 })), { error: /ECONNRESET|socket hang up/ })
  t.equal((await getPayment(app, 7)).json().balance, 99, 'stored, then the connection dropped')
  t.match((await journal(app))[0], { fault: { rule: 'flt_5', rules: ['flt_1', 'flt_5'], drop_connection: true, after_commit: true }, hidden_response: { status: 201 } })
  t.match(await rawPost(url, refundBody({ amount: 1 })), { status: 201 }, 'only the endless delay is left')
  t.strictSame((await journal(app))[0]?.fault, { rule: 'flt_1', rules: ['flt_1'], status: null, delay_ms: 40, drop_connection: false, after_commit: false })
})

t.test('an after-commit fault over a refused refund: the journal keeps the 400 that stored nothing', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 10 })
  await addFault(app, { action: { status: 502, after_commit: true } })
  t.equal((await postRefund(app, refundBody({ amount: 11 }))).statusCode, 502)
  const [entry] = await journal(app)
  t.strictSame(entry?.hidden_response, { status: 400, body: { amount: ["Ensure this value is less than or equal to the payment's remaining refundable balance of 10.00."] } })
})

t.test('rules are bounded and inert: bodies and headers of a few KiB, JSON answers, no cookies', async t => {
  const { app } = await build(t)
  const post = (payload: string) => app.inject({ method: 'POST', url: '/__admin/faults', headers: { 'content-type': 'application/json' }, payload })
  // the live defect: an infinity in the body answered 500
  assertInvalid(t, await post('{"action": {"status": 500, "body": {"x": 1e400}}}'), { 'action.body': ['Value must be valid JSON.'] })
  assertInvalid(t, await post('{"action": {"status": 500, "body": ["\\ud800"]}}'), { 'action.body': ['Value must be valid JSON.'] })
  assertInvalid(t, await addFault(app, { action: { status: 500, body: { x: 'a'.repeat(4096) } } }), { 'action.body': ['Ensure this field has no more than 4096 bytes when written as JSON.'] })
  t.equal((await addFault(app, { action: { status: 500, body: { x: 'a'.repeat(4080) } }, times: 0 })).statusCode, 201, 'up to 4 KiB')
  assertInvalid(t, await addFault(app, { action: { status: 500, headers: { 'x-a': 'a'.repeat(2100), 'x-b': 'b'.repeat(2100) } } }), {
    'action.headers': ['Ensure the headers have no more than 4096 bytes, names and values together.']
  })
  assertInvalid(t, await addFault(app, { action: { status: 200, headers: { 'Content-Type': 'text/html', 'set-cookie': 'sid=1', 'Content-Encoding': 'gzip' } } }), {
    'action.headers': [
      'Header "Content-Type" cannot be set by a fault rule: its answers are JSON and set no cookies.',
      'Header "set-cookie" cannot be set by a fault rule: its answers are JSON and set no cookies.',
      'Header "Content-Encoding" is set by the server itself.'
    ]
  })
  // the journal keeps the rule's id, not a copy of its body: entries stay small however large the rule
  for (let i = 0; i < 20; i++) t.equal((await app.inject({ method: 'GET', url: '/anything' })).statusCode, 500)
  const page = await app.inject({ method: 'GET', url: '/__admin/requests' })
  t.equal(page.json().count, 20)
  for (const entry of page.json().results) t.ok(JSON.stringify(entry).length < 4080 + 2048, 'one copy of the body (the answer), not two')
  t.strictSame(page.json().results[0].fault, { rule: 'flt_1', rules: ['flt_1'], status: 500, delay_ms: 0, drop_connection: false, after_commit: false })
  t.equal(page.json().results[0].response.body.x.length, 4080, 'the answer itself is kept, as any answer is')
})
