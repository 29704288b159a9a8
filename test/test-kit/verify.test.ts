// POST /__admin/requests/verify and mock.verify(): assertions on what the client sent — counts, near misses field by
// field, decimal amounts, headers, status classes, waiting instead of sleeping.
import t from 'tap'
import { AssertionError } from 'node:assert'
import { assertInvalid, build, createPayment, postRefund, refundBody } from '../helper.js'
import { PiriodMockVerificationError, startPiriodMock } from '../../src/index.js'
import type { App } from '../../src/app.js'

const verify = (app: App, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/__admin/requests/verify', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) })

async function scenario (app: App): Promise<void> {
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody({ amount: '30.01', receipt: 'R-1' }), { 'x-request-id': 'abc' })
  await postRefund(app, refundBody({ amount: 200, receipt: 'R-2' }))
  await postRefund(app, refundBody({ amount: 10, receipt: 'R-3', metadata: { order: 'A-1', lines: [1, 2] } }))
}

t.test('counts: at least (the default), exactly, at most', async t => {
  const { app } = await build(t)
  await scenario(app)
  const post = { method: 'POST', path: '/refunds/' }
  t.match((await verify(app, { match: post })).json(), { ok: true, count: 3, expected: 'at least 1 request matching POST /refunds/', near_misses: [] })
  t.match((await verify(app, { match: post, count: { exactly: 3 } })).json(), { ok: true, count: 3, expected: 'exactly 3 requests matching POST /refunds/' })
  t.match((await verify(app, { match: post, count: { exactly: 2 } })).json(), { ok: false, count: 3, near_misses: [], message: 'Expected exactly 2 requests matching POST /refunds/; got 3.' })
  t.match((await verify(app, { match: post, count: { at_most: 2 } })).json(), { ok: false, count: 3 })
  t.match((await verify(app, { match: post, count: { at_most: 3 } })).json(), { ok: true })
  t.match((await verify(app, { match: post, count: { at_least: 4 } })).json(), { ok: false, count: 3 })
  t.match((await verify(app, { count: { exactly: 0 }, match: { method: 'DELETE' } })).json(), { ok: true, count: 0 })
  t.match((await verify(app, {})).json(), { ok: true, count: 3, expected: 'at least 1 request' }, 'an empty match: any request')
})

t.test('near misses: the closest first, the differing fields named, amounts compared as decimals', async t => {
  const { app } = await build(t)
  await scenario(app)
  const res = await verify(app, { match: { method: 'POST', path: '/refunds/', body: { amount: 30, payment: '7' } } })
  t.equal(res.statusCode, 200)
  const answer = res.json()
  t.equal(answer.ok, false)
  t.equal(answer.count, 0)
  t.equal(answer.expected, 'at least 1 request matching POST /refunds/ body.amount=30.00 body.payment=7')
  t.equal(answer.near_misses.length, 3)
  t.strictSame(answer.near_misses[0], {
    id: 'req_00000003',
    method: 'POST',
    path: '/refunds/',
    status: 201,
    differences: [{ field: 'body.amount', expected: '30.00', actual: '10.00' }]
  }, 'one difference each: the newest first among equals')
  t.strictSame(answer.near_misses.map((m: { id: string }) => m.id), ['req_00000003', 'req_00000002', 'req_00000001'])
  t.strictSame(answer.near_misses[2].differences, [{ field: 'body.amount', expected: '30.00', actual: '30.01' }])
  t.equal(answer.message, 'Expected at least 1 request matching POST /refunds/ body.amount=30.00 body.payment=7; got 0. Closest: ' +
    'req_00000003 POST /refunds/ 201 — body.amount expected 30.00, was 10.00; req_00000002 POST /refunds/ 400 — body.amount expected 30.00, was 200.00; ' +
    'req_00000001 POST /refunds/ 201 — body.amount expected 30.00, was 30.01')
  for (const amount of [30.01, '30.01', '30.010']) {
    t.match((await verify(app, { match: { body: { amount } } })).json(), { ok: true, count: 1 }, `${JSON.stringify(amount)} is 30.01`)
  }
  // a miss on several fields comes after a miss on one
  const far = (await verify(app, { match: { method: 'PUT', path: '/refunds/', body: { receipt: 'R-1' } } })).json()
  t.strictSame(far.near_misses[0].differences, [{ field: 'method', expected: 'PUT', actual: 'POST' }])
  t.equal(far.near_misses[0].id, 'req_00000001')
  t.equal(far.near_misses[1].differences.length, 2)
})

t.test('status and status classes, headers by any case, metadata as a subset', async t => {
  const { app } = await build(t)
  await scenario(app)
  t.match((await verify(app, { match: { status: '4xx' }, count: { exactly: 1 } })).json(), { ok: true })
  t.match((await verify(app, { match: { status: 201 }, count: { exactly: 2 } })).json(), { ok: true })
  t.match((await verify(app, { match: { status: '5xx' } })).json(), { ok: false, near_misses: [{ id: 'req_00000003', differences: [{ field: 'status', expected: '5xx', actual: '201' }] }] })
  t.match((await verify(app, { match: { headers: { 'X-Request-Id': 'abc' } }, count: { exactly: 1 } })).json(), { ok: true })
  const header = (await verify(app, { match: { headers: { 'x-request-id': 'abd' } } })).json()
  t.strictSame(header.near_misses.find((m: { id: string }) => m.id === 'req_00000001')?.differences, [{ field: 'headers.x-request-id', expected: 'abd', actual: 'abc' }])
  t.strictSame(header.near_misses[0].differences, [{ field: 'headers.x-request-id', expected: 'abd', actual: null }], 'a header not sent is missing')
  // a credential is compared as the journal keeps it: redacted, never whole
  t.match((await verify(app, { match: { headers: { authorization: 'Token tok_test' } }, count: { exactly: 3 } })).json(), { ok: true })
  t.match((await verify(app, { match: { body: { metadata: { order: 'A-1' } } }, count: { exactly: 1 } })).json(), { ok: true })
  t.match((await verify(app, { match: { body: { metadata: { order: 'A-1', lines: [1, 2.0] } } }, count: { exactly: 1 } })).json(), { ok: true })
  t.match((await verify(app, { match: { body: { metadata: { order: 'A-2' } } } })).json(), { ok: false })
  t.match((await verify(app, { match: { body: { reason: 'duplicate', receipt: 'R-3', note: null } } })).json(), { ok: false }, 'a note that was not sent is no null')
  t.match((await verify(app, { match: { path: '/refunds*' } })).json(), { ok: true, count: 3 }, 'a prefix')
})

t.test('scoped: the partition headers of the verify call limit what it counts', async t => {
  const { app } = await build(t)
  await scenario(app)
  await createPayment(app, { id: 7, amount: 100, workspace: 'acc_2' })
  await postRefund(app, refundBody({ amount: 1 }), { 'x-simple-workspace': 'acc_2' })
  t.match((await verify(app, { count: { exactly: 1 } }, { 'x-simple-workspace': 'acc_2' })).json(), { ok: true })
  t.match((await verify(app, { count: { exactly: 3 } }, { 'x-simple-workspace': 'acc_1' })).json(), { ok: true })
  t.match((await verify(app, { count: { exactly: 4 } })).json(), { ok: true }, 'everything without headers')
})

t.test('wait_ms: answered as soon as a later request arrives, or when the time is up', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const started = Date.now()
  const waiting = verify(app, { match: { path: '/refunds/', body: { amount: 5 } }, wait_ms: 20_000 })
  await new Promise(resolve => setTimeout(resolve, 200))
  await postRefund(app, refundBody({ amount: 4 }))
  await postRefund(app, refundBody({ amount: 5 }))
  const answer = (await waiting).json()
  t.match(answer, { ok: true, count: 1 })
  t.ok(Date.now() - started < 10_000, `answered ${Date.now() - started} ms after it was asked, not at 20 s`)
  // never met: the answer comes when the time is up, with its near misses
  const before = Date.now()
  t.match((await verify(app, { match: { body: { amount: 6 } }, wait_ms: 300 })).json(), { ok: false, near_misses: [{ differences: [{ field: 'body.amount' }] }] })
  t.ok(Date.now() - before >= 300, 'it waited')
  // exactly: the whole time (a later request could still break it)
  const exact = Date.now()
  t.match((await verify(app, { match: { body: { amount: 5 } }, count: { exactly: 1 }, wait_ms: 300 })).json(), { ok: true })
  t.ok(Date.now() - exact >= 300)
})

t.test('stopping the server answers the waiting calls; at most 100 wait at once', async t => {
  const { app } = await build(t)
  const waits = Array.from({ length: 100 }, () => verify(app, { wait_ms: 30_000 }))
  await new Promise(resolve => setTimeout(resolve, 100))
  const refused = await verify(app, { wait_ms: 1000 })
  t.equal(refused.statusCode, 429)
  t.match(refused.json(), { detail: /^100 verify calls are waiting already/ })
  const started = Date.now()
  await app.close()
  const answers = await Promise.all(waits)
  t.ok(Date.now() - started < 10_000, 'answered at once')
  t.ok(answers.every(a => a.statusCode === 200 && a.json().ok === false))
})

t.test('bad verify bodies: field-keyed 400s; the journal off: a 409', async t => {
  const { app } = await build(t)
  assertInvalid(t, await verify(app, { wait_ms: 30_001 }), { wait_ms: ['Ensure this value is less than or equal to 30000.'] })
  assertInvalid(t, await verify(app, { count: { exactly: 1, at_most: 2 } }), { count: ['Give one of "exactly", "at_least" or "at_most".'] })
  assertInvalid(t, await verify(app, { count: { at_least: -1 } }), { 'count.at_least': ['Ensure this value is greater than or equal to 0.'] })
  assertInvalid(t, await verify(app, { match: { status: '6xx', method: 'P O', body: { amount: 'x', colour: 1 }, headers: { a: 1 } } }), {
    'match.method': ['Enter an HTTP method such as "POST".'],
    'match.status': ['Enter a status from 100 to 599, or a class such as "4xx".'],
    'match.headers.a': ['Not a valid string.'],
    'match.body.amount': ['A valid number is required.'],
    'match.body.colour': ['Unknown field.']
  })
  assertInvalid(t, await verify(app, { match: [] }), { match: ['Expected a dictionary of items but got type "list".'] })
  const { app: off } = await build(t, { config: { JOURNAL_SIZE: 0 } })
  const res = await verify(off, {})
  t.equal(res.statusCode, 409)
  t.match(res.json(), { detail: /^The journal is off \(JOURNAL_SIZE=0\)/ })
  const { app: guarded } = await build(t, { config: { ADMIN_TOKEN: 'adm_1' } })
  t.equal((await verify(guarded, {})).statusCode, 401, 'ADMIN_TOKEN guards it')
})

t.test('mock.verify(): resolves with the count, or fails as an assertion with the near misses in its message', async t => {
  const mock = await startPiriodMock()
  t.teardown(() => mock.close())
  await mock.createPayment({ workspace: 'acc_1', id: 7, amount: 100 })
  const refund = (amount: string) => fetch(`${mock.url}/refunds/`, {
    method: 'POST',
    headers: { authorization: 'Token tok_test', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' },
    body: JSON.stringify({ payment: 7, amount, reason: 'duplicate', receipt: 'R-1' })
  })
  await refund('30.01')
  t.equal(await mock.verify({ method: 'POST', path: '/refunds/', body: { amount: '30.01' } }), 1)
  t.equal(await mock.verify({ path: '/refunds/' }, { exactly: 1, workspace: 'acc_1' }), 1)
  const err = await mock.verify({ method: 'POST', path: '/refunds/', body: { amount: 30 } }).catch((e: unknown) => e)
  t.ok(err instanceof PiriodMockVerificationError)
  t.ok(err instanceof AssertionError, 'an AssertionError: test runners show it as a failed assertion')
  t.equal((err as Error).message, 'Expected at least 1 request matching POST /refunds/ body.amount=30.00; got 0. Closest: ' +
    'req_00000001 POST /refunds/ 201 — body.amount expected 30.00, was 30.01')
  t.match(err, { name: 'PiriodMockVerificationError', code: 'ERR_ASSERTION', actual: 0, expected: 'at least 1 request matching POST /refunds/ body.amount=30.00', verdict: { ok: false } })
  await t.rejects(mock.verify({}, { atMost: 0 }), PiriodMockVerificationError)
  // waiting: a refund the client sends later
  setTimeout(() => { refund('5.00').catch(() => {}) }, 100)
  t.equal(await mock.verify({ body: { amount: 5 } }, { atLeast: 1, waitMs: 10_000 }), 1)
})

t.test('what a matcher may hold, and the entries it meets: floats, signs, ids, bodies that are not JSON, no answer at all', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await postRefund(app, refundBody({ amount: '-5', receipt: 'R-neg', metadata: { order: { id: 'A-1', n: 1 } } }))
  await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token tok_test', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, payload: '{not json' })
  await app.inject({ method: 'GET', url: '/refunds/', headers: { authorization: 'Token tok_test', 'x-simple-workspace': 'acc_1' } })
  const ok = async (match: unknown, count = 1, extra: Record<string, unknown> = {}): Promise<Record<string, any>> => {
    const res = await verify(app, { match, count: { exactly: count }, ...extra })
    t.equal(res.statusCode, 200, JSON.stringify(match))
    const answer = res.json() as Record<string, any>
    t.equal(answer.count, count, `${JSON.stringify(match)}: ${answer.message as string}`)
    return answer
  }
  await ok({ body: { amount: -5.0 } })
  await ok({ body: { amount: '-5.000' } })
  t.equal((await ok({ body: { amount: '-5' } })).expected, 'exactly 1 request matching body.amount=-5.00')
  await ok({ body: { amount: '0.5' } }, 0)
  await ok({ body: { payment: 7.0 } })
  await ok({ body: { metadata: { order: { n: 1.0 } } } })
  // 1.0 as the client wrote it (JSON.stringify would write 1): a float equals the integer
  const float = await app.inject({ method: 'POST', url: '/__admin/requests/verify', headers: { 'content-type': 'application/json' }, payload: '{"match": {"body": {"metadata": {"order": {"n": 1.0}}}}}' })
  t.match(float.json(), { ok: true, count: 1 })
  await ok({ body: { metadata: { order: 'A-1' } } }, 0)
  await ok({ body: { metadata: { missing: 1 } } }, 0)
  await ok({ path: '/refunds*', method: 'get' })
  await ok({ status: 405 })
  await ok({ status: '4xx' }, 3)
  await ok({ headers: { 'X-Simple-Workspace': 'acc_1' } }, 3)
  const near = async (match: unknown): Promise<Array<{ differences: Array<{ field: string, expected: unknown, actual: unknown }> }>> =>
    (await verify(app, { match, wait_ms: 0 })).json().near_misses
  t.strictSame((await near({ method: 'POST', headers: { 'x-request-id': 'abc' }, body: { receipt: 'R-neg' } }))[0]?.differences,
    [{ field: 'headers.x-request-id', expected: 'abc', actual: null }])
  // the GET with no body, and the entry whose body is not JSON: a body field is missing there
  t.strictSame((await near({ body: { receipt: 'R-x' } })).map(m => m.differences[0]?.actual), [null, null, 'R-neg'])
  await ok({ path: '/other/' }, 0)
  t.strictSame((await near({ path: '/other/', method: 'GET' }))[0]?.differences, [{ field: 'path', expected: '/other/', actual: '/refunds/' }])
  t.ok((await near({ body: { metadata: { order: { id: 1 } } } })).some(m => m.differences[0]?.actual === '{"order":{"id":"A-1","n":1}}'), 'a number is not a string')
  // a request whose connection a fault dropped has no answer
  await app.inject({ method: 'POST', url: '/__admin/faults', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ match: { method: 'POST' }, action: { drop_connection: true } }) })
  await postRefund(app, refundBody({ receipt: 'R-dropped' })).catch(() => undefined)
  const dropped = await verify(app, { match: { status: 201, body: { receipt: 'R-dropped' } } })
  t.match(dropped.json(), { ok: false, near_misses: [{ status: null, differences: [{ field: 'status', expected: '201', actual: null }] }] })
  t.match(dropped.json().message, / POST \/refunds\/ no answer — status expected 201, was missing/)
  for (const [match, errors] of [
    [{ body: { amount: {} } }, { 'match.body.amount': ['A valid number is required.'] }],
    [{ body: { amount: true } }, { 'match.body.amount': ['A valid number is required.'] }],
    [{ body: { amount: null } }, { 'match.body.amount': ['A valid number is required.'] }],
    [{ body: { amount: '1e30' } }, { 'match.body.amount': ['A valid number is required.'] }],
    [{ body: { payment: 'seven' } }, { 'match.body.payment': ['Enter a payment id.'] }],
    [{ headers: { 'x-a': 1 } }, { 'match.headers.x-a': ['Not a valid string.'] }]
  ] as Array<[unknown, Record<string, string[]>]>) {
    assertInvalid(t, await verify(app, { match }), errors, JSON.stringify(match))
  }
  assertInvalid(t, await verify(app, { count: { exactly: 1, at_least: 1 } }), { count: ['Give one of "exactly", "at_least" or "at_most".'] })
  assertInvalid(t, await verify(app, { count: {} }), { count: ['Give one of "exactly", "at_least" or "at_most".'] })
  assertInvalid(t, await verify(app, { match: { status: 600 } }), { 'match.status': ['Enter a status from 100 to 599, or a class such as "4xx".'] })
  // 405.0 as the client wrote it: the status 405
  const floatStatus = await app.inject({ method: 'POST', url: '/__admin/requests/verify', headers: { 'content-type': 'application/json' }, payload: '{"match": {"status": 405.0}}' })
  t.match(floatStatus.json(), { ok: true, count: 1 })
  // a body that is not JSON is DRF's parse error
  const parse = await app.inject({ method: 'POST', url: '/__admin/requests/verify', headers: { 'content-type': 'application/json' }, payload: '{' })
  t.equal(parse.statusCode, 400)
  t.match(parse.json(), { detail: /^JSON parse error - / })
})
