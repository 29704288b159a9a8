// The admin API for tests: /__admin/health, /__admin/payments, /__admin/reset.
import t from 'tap'
import { assertDetail, assertInvalid, assertRefund, build, createPayment, getPayment, postRefund, refundBody } from '../helper.js'
import type { App } from '../../src/app.js'

const post = (app: App, url: string, body: unknown, headers: Record<string, string> = { 'x-simple-workspace': 'acc_1' }) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) })

t.test('health', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'GET', url: '/__admin/health' })
  t.equal(res.statusCode, 200)
  t.equal(res.body, '{"status":"ok"}')
  t.equal(res.headers['content-type'], 'application/json')
  t.equal((await app.inject({ method: 'HEAD', url: '/__admin/health' })).statusCode, 200)
  assertDetail(t, await app.inject({ method: 'POST', url: '/__admin/health' }), 405, 'Method "POST" not allowed.')
})

t.test('POST /__admin/payments', async t => {
  const { app } = await build(t)
  const res = await post(app, '/__admin/payments', { id: 501, amount: '100.50', refund_outcome: 'failed' }, { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'true' })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.strictSame(Object.keys(body), ['id', 'amount', 'refunded', 'balance', 'refund_outcome', 'workspace', 'test_mode', 'created'])
  t.match(body, { id: 501, amount: 100.5, refunded: 0, balance: 100.5, refund_outcome: 'failed', workspace: 'acc_1', test_mode: true })
  t.match(body.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/)

  const dup = await post(app, '/__admin/payments', { id: 501, amount: 1 }, { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'true' })
  assertDetail(t, dup, 409, 'Payment 501 already exists in this workspace and mode.')
  t.equal((await post(app, '/__admin/payments', { id: 501, amount: 1 })).statusCode, 201, 'the same id in the other mode')
  t.equal((await post(app, '/__admin/payments', { id: 501, amount: 1 }, { 'x-simple-workspace': 'acc_2' })).statusCode, 201, 'and in another workspace')

  // assigned ids come from one sequence: above every id stored, never repeated across partitions
  const a = (await post(app, '/__admin/payments', { amount: 1 })).json()
  const b = (await post(app, '/__admin/payments', { amount: 1 }, { 'x-simple-workspace': 'acc_9' })).json()
  const c = (await post(app, '/__admin/payments', { amount: 1 }, { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': '1' })).json()
  t.strictSame([a.id, b.id, c.id], [502, 503, 504])
  t.equal(a.refund_outcome, 'succeeded')
  await post(app, '/__admin/payments', { id: 10, amount: 1 }, { 'x-simple-workspace': 'acc_5' })
  t.equal((await post(app, '/__admin/payments', { amount: 1 })).json().id, 505, 'a lower explicit id does not move the sequence back')
  await app.inject({ method: 'POST', url: '/__admin/reset' })
  t.equal((await post(app, '/__admin/payments', { amount: 1 })).json().id, 506, 'ids are not reused after a reset')
})

t.test('POST /__admin/payments: field-keyed 400s', async t => {
  const { app } = await build(t)
  assertInvalid(t, await post(app, '/__admin/payments', {}), { amount: ['This field is required.'] })
  assertInvalid(t, await post(app, '/__admin/payments', { id: 'x', amount: '12.345', refund_outcome: 'maybe' }), {
    id: ['A valid integer is required.'],
    amount: ['Ensure that there are no more than 2 decimal places.'],
    refund_outcome: ['"maybe" is not a valid choice.']
  })
  const ids: Array<[unknown, string]> = [[0, 'Ensure this value is greater than or equal to 1.'], [-5, 'Ensure this value is greater than or equal to 1.'],
    [9007199254740992, 'Ensure this value is less than or equal to 9007199254740991.'], ['99999999999999999999', 'Ensure this value is less than or equal to 9007199254740991.'],
    [1.5, 'A valid integer is required.'], [true, 'A valid integer is required.'], [[1], 'A valid integer is required.'], [null, 'This field may not be null.'],
    ['1'.repeat(1001), 'String value too large.']]
  for (const [id, message] of ids) assertInvalid(t, await post(app, '/__admin/payments', { id, amount: 1 }), { id: [message] }, JSON.stringify(id)?.slice(0, 30))
  for (const [id, value] of [['12', 12], [' 13 ', 13], ['14.0', 14], ['15.00 ', 15], [16.0, 16]] as const) {
    t.equal((await post(app, '/__admin/payments', { id, amount: 1 })).json().id, value)
  }
  assertInvalid(t, await post(app, '/__admin/payments', { amount: 0 }), { amount: ['Ensure this value is greater than or equal to 0.01.'] })
  assertInvalid(t, await post(app, '/__admin/payments', { amount: 1, refund_outcome: null }), { refund_outcome: ['This field may not be null.'] })
  assertInvalid(t, await post(app, '/__admin/payments', [1]), { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] })
  assertDetail(t, await post(app, '/__admin/payments', '{'), 400, /^JSON parse error - /)
  assertDetail(t, await post(app, '/__admin/payments', '{}', { 'x-simple-workspace': 'acc_1', 'content-type': 'text/plain' }), 415, 'Unsupported media type "text/plain" in request.')
  assertInvalid(t, await post(app, '/__admin/payments', { amount: 1 }, {}), { non_field_errors: ['x-simple-workspace header is required.'] })
  assertInvalid(t, await post(app, '/__admin/payments', { amount: 1 }, { 'x-simple-workspace': 'a', 'x-piriod-test-mode': 'maybe' }), { non_field_errors: [(await import('../../src/partition.js')).TEST_MODE_INVALID] })
  assertDetail(t, await app.inject({ method: 'PUT', url: '/__admin/payments', headers: { 'x-simple-workspace': 'a' } }), 405, 'Method "PUT" not allowed.')
})

t.test('GET /__admin/payments/{id}: the payment and its refunds, oldest first, in its partition only', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const first = assertRefund(t, await postRefund(app, refundBody({ amount: 10, receipt: 'first' })))
  const second = assertRefund(t, await postRefund(app, refundBody({ amount: 20, receipt: 'second', metadata: { a: [1] } })))
  const res = await getPayment(app, 7)
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.match(body, { id: 7, amount: 100, refunded: 30, balance: 70, refund_outcome: 'succeeded', workspace: 'acc_1', test_mode: false })
  t.strictSame(body.refunds, [first, second])
  t.equal((await app.inject({ method: 'GET', url: '/__admin/payments/%207%20', headers: { 'x-simple-workspace': 'acc_1' } })).statusCode, 200)
  for (const [url, headers] of [['/__admin/payments/7', { 'x-simple-workspace': 'acc_2' }], ['/__admin/payments/7', { 'x-simple-workspace': 'acc_1', 'x-piriod-test-mode': 'true' }],
    ['/__admin/payments/8', { 'x-simple-workspace': 'acc_1' }], ['/__admin/payments/abc', { 'x-simple-workspace': 'acc_1' }], ['/__admin/payments/99999999999999999999', { 'x-simple-workspace': 'acc_1' }]] as const) {
    assertDetail(t, await app.inject({ method: 'GET', url, headers }), 404, 'Not found.')
  }
  assertInvalid(t, await app.inject({ method: 'GET', url: '/__admin/payments/7' }), { non_field_errors: ['x-simple-workspace header is required.'] })
})

t.test('POST /__admin/reset: everything, or one workspace in both modes', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 7, amount: 100, testMode: true })
  await createPayment(app, { id: 7, amount: 100, workspace: 'acc_2' })
  await createPayment(app, { id: 8, amount: 100, workspace: 'acc_2' })
  assertRefund(t, await postRefund(app, refundBody()))
  assertRefund(t, await postRefund(app, refundBody(), { 'x-piriod-test-mode': 'true' }))
  assertRefund(t, await postRefund(app, refundBody(), { 'x-simple-workspace': 'acc_2' }))
  const one = await app.inject({ method: 'POST', url: '/__admin/reset', headers: { 'x-simple-workspace': 'acc_1' } })
  t.equal(one.statusCode, 200)
  t.equal(one.body, '{"payments":2,"refunds":2}')
  t.equal((await getPayment(app, 7)).statusCode, 404)
  t.equal((await getPayment(app, 7, 'acc_1', true)).statusCode, 404)
  t.equal((await getPayment(app, 7, 'acc_2')).json().refunds.length, 1)
  t.strictSame((await app.inject({ method: 'POST', url: '/__admin/reset', headers: { 'x-simple-workspace': '  ' } })).json(), { payments: 2, refunds: 1 })
  t.strictSame((await app.inject({ method: 'POST', url: '/__admin/reset' })).json(), { payments: 0, refunds: 0 })
  assertDetail(t, await app.inject({ method: 'GET', url: '/__admin/reset' }), 405, 'Method "GET" not allowed.')
})
