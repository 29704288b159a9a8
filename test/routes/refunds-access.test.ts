// POST /refunds/ — the checks DRF runs before the body: negotiation, authentication, partition headers, method,
// and the APPEND_SLASH redirect, as DRF's TokenAuthentication, APIView and Django's CommonMiddleware answer.
import t from 'tap'
import { AUTH, assertDetail, assertInvalid, assertRefund, build, createPayment, JSON_HEADERS, postRefund, refundBody } from '../helper.js'
import { TEST_MODE_INVALID, WORKSPACE_REQUIRED } from '../../src/partition.js'

const NOT_PROVIDED = 'Authentication credentials were not provided.'

t.test('authentication, as DRF TokenAuthentication answers', async t => {
  const { app } = await build(t, { tokens: ['tok_test', 'tok_other'] })
  await createPayment(app, { id: 7, amount: 100 })
  const cases: Array<[string | undefined, number, string?]> = [
    [undefined, 401, NOT_PROVIDED],
    ['', 401, NOT_PROVIDED],
    ['Bearer tok_test', 401, NOT_PROVIDED],
    ['Basic dG9rOg==', 401, NOT_PROVIDED],
    ['Tokentok_test', 401, NOT_PROVIDED],
    ['Token', 401, 'Invalid token header. No credentials provided.'],
    ['Token   ', 401, 'Invalid token header. No credentials provided.'],
    ['Token a b', 401, 'Invalid token header. Token string should not contain spaces.'],
    ['Token caf\xe9', 401, 'Invalid token header. Token string should not contain invalid characters.'],
    ['Token nope', 401, 'Invalid token.'],
    ['Token tok_test', 201],
    ['token tok_test', 201],
    ['TOKEN tok_other', 201],
    ['Token  tok_test', 201],
    ['Token\ttok_test', 201]
  ]
  for (const [authorization, status, detail] of cases) {
    const headers: Record<string, string> = { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }
    if (authorization !== undefined) headers.authorization = authorization
    const res = await app.inject({ method: 'POST', url: '/refunds/', headers, payload: JSON.stringify(refundBody()) })
    if (status === 201) {
      assertRefund(t, res)
      continue
    }
    assertDetail(t, res, status, detail as string)
    t.equal(res.headers['www-authenticate'], 'Token', `WWW-Authenticate for ${JSON.stringify(authorization)}`)
    t.equal(res.headers.allow, 'POST, OPTIONS')
  }
})

t.test('a UTF-8 token is compared as text', async t => {
  const { app } = await build(t, { tokens: ['tök'] })
  await createPayment(app, { id: 7, amount: 100 })
  const res = await postRefund(app, refundBody(), { authorization: `Token ${Buffer.from('tök').toString('latin1')}` })
  assertRefund(t, res)
})

t.test('without API_TOKENS any well-formed token is accepted', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  assertRefund(t, await postRefund(app, refundBody(), { authorization: 'Token anything-at-all' }))
  assertDetail(t, await postRefund(app, refundBody(), { authorization: 'Token' }), 401, 'Invalid token header. No credentials provided.')
})

t.test('authentication comes before everything but negotiation', async t => {
  const { app } = await build(t, { tokens: ['tok_test'] })
  const noAuth = { 'content-type': 'text/plain' }
  for (const method of ['POST', 'GET', 'PUT', 'DELETE', 'OPTIONS'] as const) {
    const res = await app.inject({ method, url: '/refunds/', headers: noAuth, ...(method === 'GET' ? {} : { payload: '{' }) })
    assertDetail(t, res, 401, NOT_PROVIDED)
  }
})

t.test('partition headers', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  await createPayment(app, { id: 7, amount: 30, testMode: true })
  for (const workspace of [undefined, '', '   ']) {
    const headers: Record<string, string> = { authorization: 'Token tok_test', 'content-type': 'application/json' }
    if (workspace !== undefined) headers['x-simple-workspace'] = workspace
    const res = await app.inject({ method: 'POST', url: '/refunds/', headers, payload: JSON.stringify(refundBody()) })
    assertInvalid(t, res, { non_field_errors: [WORKSPACE_REQUIRED] })
    t.equal(res.headers.allow, 'POST, OPTIONS')
  }
  for (const mode of ['maybe', 'null', '2', 'yess', 'tru']) {
    assertInvalid(t, await postRefund(app, refundBody(), { 'x-piriod-test-mode': mode }), { non_field_errors: [TEST_MODE_INVALID] }, mode)
  }
  t.match(TEST_MODE_INVALID, /x-piriod-test-mode.*true\/false, 1\/0, yes\/no, on\/off, t\/f, y\/n/)
  // DRF BooleanField values, case-insensitive; absent or empty = live
  const live = ['', 'false', 'FALSE', 'f', 'F', 'no', 'No', 'n', 'off', 'OFF', '0']
  const test = ['true', 'TRUE', 'tRuE', 't', 'yes', 'Y', 'y', 'on', 'On', '1']
  for (const mode of live) {
    const body = assertRefund(t, await postRefund(app, refundBody({ amount: 1 }), { 'x-piriod-test-mode': mode }))
    t.equal(body.balance, 100 - (live.indexOf(mode) + 1), `live for ${JSON.stringify(mode)}`)
  }
  for (const mode of test) {
    const body = assertRefund(t, await postRefund(app, refundBody({ amount: 1 }), { 'x-piriod-test-mode': mode }))
    t.equal(body.balance, 30 - (test.indexOf(mode) + 1), `test mode for ${JSON.stringify(mode)}`)
  }
  // authentication first, then the partition
  const res = await app.inject({ method: 'POST', url: '/refunds/', headers: { 'content-type': 'application/json' }, payload: '{}' })
  t.equal(res.statusCode, 401)
})

t.test('methods: Allow everywhere, OPTIONS 200, others 405 after authentication and partition', async t => {
  const { app } = await build(t)
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'SEARCH'] as const) {
    const res = await app.inject({ method, url: '/refunds/', headers: { ...JSON_HEADERS, 'content-type': 'text/plain' }, ...(method === 'GET' ? {} : { payload: 'not json' }) })
    assertDetail(t, res, 405, `Method "${method}" not allowed.`)
    t.equal(res.headers.allow, 'POST, OPTIONS')
  }
  const head = await app.inject({ method: 'HEAD', url: '/refunds/', headers: AUTH })
  t.equal(head.statusCode, 405)
  t.equal(head.body, '')
  t.equal(head.headers.allow, 'POST, OPTIONS')
  const noWorkspace = await app.inject({ method: 'GET', url: '/refunds/', headers: { authorization: 'Token x' } })
  assertInvalid(t, noWorkspace, { non_field_errors: [WORKSPACE_REQUIRED] })

  const options = await app.inject({ method: 'OPTIONS', url: '/refunds/', headers: AUTH })
  t.equal(options.statusCode, 200)
  t.equal(options.headers.allow, 'POST, OPTIONS')
  t.equal(options.headers['content-type'], 'application/json')
  const meta = options.json()
  t.equal(meta.name, 'Refund List')
  t.strictSame(meta.renders, ['application/json'])
  t.strictSame(Object.keys(meta.actions.POST), ['id', 'payment', 'amount', 'balance', 'reason', 'note', 'receipt', 'status', 'metadata', 'created', 'updated'])
  t.strictSame(meta.actions.POST.reason.choices.map((c: { value: string }) => c.value), ['duplicate', 'fraudulent', 'requested_by_customer'])
  t.equal(meta.actions.POST.receipt.max_length, 256)
  t.equal(meta.actions.POST.note.max_length, 64)
  const unauthenticatedOptions = await app.inject({ method: 'OPTIONS', url: '/refunds/' })
  t.equal(unauthenticatedOptions.statusCode, 401)
})

t.test('/refunds without the slash: 301 like Django APPEND_SLASH, before authentication', async t => {
  const { app } = await build(t)
  for (const [url, location] of [['/refunds', '/refunds/'], ['/refunds?a=1&b=%20', '/refunds/?a=1&b=%20']] as const) {
    for (const method of ['POST', 'GET'] as const) {
      const res = await app.inject({ method, url, headers: { 'content-type': 'application/json' }, ...(method === 'POST' ? { payload: '{}' } : {}) })
      t.equal(res.statusCode, 301)
      t.equal(res.headers.location, location)
      t.equal(res.body, '')
      t.equal(res.headers['content-type'], 'text/html; charset=utf-8')
      t.equal(res.headers.allow, undefined)
    }
  }
})

t.test('unknown paths: 404 {"detail": "Not found."}', async t => {
  const { app } = await build(t)
  for (const url of ['/', '/refunds/1/', '/REFUNDS/', '/refunds//', '/payments/', '/__admin/nope']) {
    const res = await app.inject({ method: 'POST', url, headers: JSON_HEADERS, payload: '{}' })
    assertDetail(t, res, 404, 'Not found.')
    t.equal(res.headers.allow, undefined)
  }
  assertDetail(t, await app.inject({ method: 'GET', url: '/%E0%A4%A' }), 400, 'Malformed request path.')
  assertDetail(t, await app.inject({ method: 'GET', url: `/__admin/payments/${'1'.repeat(101)}`, headers: { 'x-simple-workspace': 'a' } }), 414, 'Request path segment too long.')
})

t.test('content negotiation: 406, ?format=, indent', async t => {
  const { app } = await build(t)
  await createPayment(app, { id: 7, amount: 100 })
  const notAcceptable = await postRefund(app, refundBody(), { accept: 'text/html', authorization: '' })
  assertDetail(t, notAcceptable, 406, 'Could not satisfy the request Accept header.')
  t.equal(notAcceptable.headers.allow, 'POST, OPTIONS')
  assertDetail(t, await postRefund(app, refundBody(), { accept: '' }), 406, 'Could not satisfy the request Accept header.')
  for (const accept of ['application/json', '*/*', 'application/*', 'text/html;q=0.9, application/json;q=0.1', 'application/xml, */*;q=0.1', 'application/json; version=2', 'Application/JSON']) {
    assertRefund(t, await postRefund(app, refundBody(), { accept }))
  }
  const xml = await app.inject({ method: 'POST', url: '/refunds/?format=xml', headers: JSON_HEADERS, payload: JSON.stringify(refundBody()) })
  assertDetail(t, xml, 404, 'Not found.')
  t.equal(xml.headers.allow, 'POST, OPTIONS')
  assertRefund(t, await app.inject({ method: 'POST', url: '/refunds/?format=json', headers: JSON_HEADERS, payload: JSON.stringify(refundBody()) }))
  assertRefund(t, await app.inject({ method: 'POST', url: '/refunds/?format=', headers: JSON_HEADERS, payload: JSON.stringify(refundBody()) }))
  assertRefund(t, await app.inject({ method: 'POST', url: '/refunds/?format=xml&format=json', headers: JSON_HEADERS, payload: JSON.stringify(refundBody()) }))
  const jsonButHtml = await app.inject({ method: 'POST', url: '/refunds/?format=json', headers: { ...JSON_HEADERS, accept: 'text/html' }, payload: '{}' })
  t.equal(jsonButHtml.statusCode, 406)

  const pretty = await postRefund(app, refundBody({ amount: 'x' }), { accept: 'application/json; indent=4' })
  t.equal(pretty.statusCode, 400)
  t.equal(pretty.body, '{\n    "amount": [\n        "A valid number is required."\n    ]\n}')
  t.equal(pretty.headers['content-type'], 'application/json')
  const created = await postRefund(app, refundBody(), { accept: 'application/json; indent=2, */*' })
  t.match(created.body, /^\{\n {2}"id": "ref_/)
  // U+2028 and U+2029 are escaped (as DRF's renderer does), indented too: the Content-Length counts the escapes
  const separators = await postRefund(app, refundBody({ receipt: 'a\u2028b\u2029c' }), { accept: 'application/json; indent=2' })
  t.match(separators.body, /\n {2}"receipt": "a\\u2028b\\u2029c",\n/)
  t.equal(Number(separators.headers['content-length']), Buffer.byteLength(separators.body))
  const unauthorized = await postRefund(app, refundBody(), { accept: '*/*; indent=1', authorization: '' })
  t.equal(unauthorized.body, `{\n "detail": "${NOT_PROVIDED}"\n}`)
  for (const [indent, expected] of [['0', 'compact'], ['-3', 'compact'], ['x', 'compact'], ['12', 8], [' 3 ', 3]] as const) {
    const res = await postRefund(app, refundBody({ amount: 'x' }), { accept: `application/json; indent=${indent}` })
    const want = expected === 'compact' ? JSON.stringify(res.json()) : JSON.stringify(res.json(), null, expected)
    t.equal(res.body, want, `indent=${indent}`)
  }
})
