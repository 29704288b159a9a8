// API_TOKENS bindings, live-key refusal, ADMIN_TOKEN.
import t from 'tap'
import { assertDetail, assertInvalid, assertRefund, build, createPayment, postRefund, refundBody } from '../helper.js'
import { parseTokens } from '../../src/config.js'

const FORBIDDEN = 'You do not have permission to perform this action.'
const LIVE = 'piriod-mock refuses live credentials: this token looks like a live key (sk_live_…). Use a test token, or set ALLOW_LIVE_TOKENS=true.'

t.test('a token bound to workspaces gets 403 in any other workspace', async t => {
  const { app } = await build(t, { tokens: ['tok_a=acc_1|acc_2', 'tok_b'] })
  for (const ws of ['acc_1', 'acc_2', 'acc_3']) await createPayment(app, { id: 7, amount: 100, workspace: ws })
  assertRefund(t, await postRefund(app, refundBody(), { authorization: 'Token tok_a' }))
  assertRefund(t, await postRefund(app, refundBody(), { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_2' }))
  const res = await postRefund(app, refundBody(), { authorization: 'Token tok_a', 'x-simple-workspace': 'acc_3' })
  assertDetail(t, res, 403, FORBIDDEN)
  t.equal(res.headers['www-authenticate'], undefined, 'a 403 asks for no other credentials')
  t.equal(res.headers.allow, 'POST, OPTIONS')
  assertRefund(t, await postRefund(app, refundBody(), { authorization: 'Token tok_b', 'x-simple-workspace': 'acc_3' }))
  assertDetail(t, await postRefund(app, refundBody(), { authorization: 'Token tok_c' }), 401, 'Invalid token.')
  // the partition check still comes after: a bound token without a workspace header is a 400
  assertInvalid(t, await postRefund(app, refundBody(), { authorization: 'Token tok_a', 'x-simple-workspace': '' }), { non_field_errors: ['x-simple-workspace header is required.'] })
  const noHeader = await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token tok_a', 'content-type': 'application/json' }, payload: JSON.stringify(refundBody()) })
  assertInvalid(t, noHeader, { non_field_errors: ['x-simple-workspace header is required.'] })
})

t.test('live-looking keys are refused unless ALLOW_LIVE_TOKENS', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const res = await postRefund(app, refundBody(), { authorization: 'Token sk_live_4eC39HqLyjWDarjtT1zdp7dc' })
  assertDetail(t, res, 401, LIVE)
  t.equal(res.headers['www-authenticate'], 'Token')
  assertRefund(t, await postRefund(app, refundBody(), { authorization: 'Token sk_test_4eC39HqLyjWDarjtT1zdp7dc' }))
  const journal = (await app.inject({ method: 'GET', url: '/__admin/requests' })).json()
  t.equal(journal.results[1].request.headers.authorization, 'Token …p7dc')
  t.notOk(JSON.stringify(journal).includes('4eC39'), 'the key is not in the journal')

  const { app: allowed } = await build(t, { config: { ALLOW_LIVE_TOKENS: true } })
  await createPayment(allowed, { id: 7, amount: 100 })
  assertRefund(t, await postRefund(allowed, refundBody(), { authorization: 'Token sk_live_abc' }))
  const { app: listed } = await build(t, { config: { ALLOW_LIVE_TOKENS: true, tokens: parseTokens('sk_live_ok') } })
  await createPayment(listed, { id: 7, amount: 100 })
  assertRefund(t, await postRefund(listed, refundBody(), { authorization: 'Token sk_live_ok' }))
  assertDetail(t, await postRefund(listed, refundBody(), { authorization: 'Token sk_live_other' }), 401, 'Invalid token.')
  const { app: strict } = await build(t, { config: { tokens: parseTokens('sk_live_listed') } })
  assertDetail(t, await postRefund(strict, refundBody(), { authorization: 'Token sk_live_listed' }), 401, LIVE)
})

t.test('ADMIN_TOKEN guards every admin call except health and ready', async t => {
  const { app } = await build(t, { config: { ADMIN_TOKEN: 'adm_secret' } })
  const calls: Array<[string, string]> = [['POST', '/__admin/payments'], ['GET', '/__admin/payments/7'], ['POST', '/__admin/reset'], ['GET', '/__admin/requests'],
    ['DELETE', '/__admin/requests'], ['GET', '/__admin/faults'], ['POST', '/__admin/faults'], ['DELETE', '/__admin/faults/flt_1'], ['GET', '/__admin/snapshot'], ['POST', '/__admin/snapshot']]
  for (const [method, url] of calls) {
    const headers = { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
    const missing = await app.inject({ method: method as 'GET', url, headers, payload: method === 'GET' ? undefined as never : '{}' })
    assertDetail(t, missing, 401, 'Authentication credentials were not provided.')
    t.equal(missing.headers['www-authenticate'], 'Token')
    assertDetail(t, await app.inject({ method: method as 'GET', url, headers: { ...headers, authorization: 'Token wrong' } }), 401, 'Invalid token.')
    const ok = await app.inject({ method: method as 'GET', url, headers: { ...headers, authorization: 'Token adm_secret' }, ...(method === 'GET' ? {} : { payload: method === 'POST' && url.endsWith('payments') ? '{"amount":1}' : url.endsWith('snapshot') ? '{"payments":[]}' : url.endsWith('faults') ? '{"action":{"status":500}}' : '' }) })
    t.ok([200, 201, 404].includes(ok.statusCode), `${method} ${url} with the token: ${ok.statusCode} ${ok.body}`)
  }
  t.equal((await app.inject({ method: 'GET', url: '/__admin/health' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/ready' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/__admin/openapi.json' })).statusCode, 200)
  // the emulated API keeps its own tokens
  t.equal((await postRefund(app, refundBody(), { authorization: 'Token anything' })).statusCode, 400)
})
