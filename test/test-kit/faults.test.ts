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
  t.match(first, { response: { status: 503 }, fault: { rule: 'flt_1', action: { status: 503 } } })
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
  t.match(entry, { response: { status: 503 }, fault: { rule: 'flt_1', action: { after_commit: true } } })
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
  t.match(entries.slice(0, 2), [{ response: null, fault: { action: { after_commit: true } } }, { response: null, fault: { action: { drop_connection: true } } }])

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
