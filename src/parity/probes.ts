// The battery `piriod-mock parity` sends to a target and to the emulator: fixed, named requests.
//
// Safe by construction: every probe below is one the real service must reject whatever the account holds — an
// authentication failure, a bad partition header, a body that cannot be parsed, another method, or a body with at
// least one field error that no payment can make valid. Where a probe's body is otherwise valid (an unknown
// payment, the over-refund), its amount is 9999999999999.99, the largest a 15-digit DecimalField holds: no
// payment can cover it. A payment id is never sent in a form DRF could resolve to another payment (no floats, no
// numeric strings). Only `writeProbe` makes a request that can succeed, and only with --writes.

/** What the probes are built from. `payment`: --payment, or null (then UNKNOWN_PAYMENT stands in). */
export interface ProbeContext {
  token: string
  workspace: string
  testMode: boolean
  payment: number | null
}

export interface Probe {
  name: string
  /** what it checks, in words */
  about: string
  method: string
  /** relative to the target's base URL */
  path: string
  headers: Record<string, string>
  body?: Buffer
}

/** A payment id no account holds: the largest integer JSON numbers keep exact (2^53 - 1). */
const UNKNOWN_PAYMENT = 9007199254740991
/** The largest amount DecimalField(max_digits=15, decimal_places=2) accepts: more than any payment. */
export const UNCOVERABLE = '9999999999999.99'
/** A token no account has. */
const NOT_A_TOKEN = 'piriod-mock-parity-not-a-token'

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

/** The base headers of an authenticated JSON request to the partition. */
function baseHeaders (ctx: ProbeContext): Record<string, string> {
  return {
    authorization: `Token ${ctx.token}`,
    'x-simple-workspace': ctx.workspace,
    ...(ctx.testMode ? { 'x-piriod-test-mode': 'true' } : {}),
    'content-type': 'application/json'
  }
}

const without = (headers: Record<string, string>, name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name))

/** The safe battery, in the order it is sent. */
export function safeProbes (ctx: ProbeContext): Probe[] {
  const base = baseHeaders(ctx)
  const payment = ctx.payment ?? UNKNOWN_PAYMENT
  // a body with valid fields but the one a probe changes; receipt and reason make it otherwise complete
  const valid = { payment, amount: '0.01', reason: 'requested_by_customer', receipt: 'parity-probe' }
  const probes: Probe[] = []
  const post = (name: string, about: string, headers: Record<string, string>, body?: Buffer | string): void => {
    probes.push({ name, about, method: 'POST', path: 'refunds/', headers, ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : Buffer.from(body) }) })
  }
  const field = (name: string, about: string, changes: Record<string, unknown>, drop: string[] = []): void => {
    const body: Record<string, unknown> = { ...valid, ...changes }
    for (const key of drop) Reflect.deleteProperty(body, key)
    post(name, about, base, json(body))
  }
  const empty = json({})

  // first: the token accepted (a 401 or 403 here ends the run: the target refuses the token)
  post('empty-object', 'every required field missing, with the token', base, empty)
  // then the over-refund (UNCOVERABLE: rejected whatever the payment holds), whose answer says the payment's balance:
  // the emulator's copy of it is made before any other probe names the payment
  if (ctx.payment !== null) {
    field('over-refund', 'more than any payment holds, on --payment: the balance rule and its message', { amount: UNCOVERABLE })
  }
  field('payment-unknown', 'a payment no account has', { payment: UNKNOWN_PAYMENT, amount: UNCOVERABLE })

  // authentication (DRF's TokenAuthentication: every failure a 401 with WWW-Authenticate: Token)
  post('auth-missing', 'no Authorization header', without(base, 'authorization'), empty)
  post('auth-empty', 'an empty Authorization header', { ...base, authorization: '' }, empty)
  post('auth-keyword-only', '"Token" with no key', { ...base, authorization: 'Token' }, empty)
  post('auth-spaces', 'a key with a space in it', { ...base, authorization: 'Token parity spaces' }, empty)
  post('auth-unknown-token', 'a key no account has', { ...base, authorization: `Token ${NOT_A_TOKEN}` }, empty)
  post('auth-not-utf8', 'a key with a byte that is not UTF-8', { ...base, authorization: 'Token caf\u00e9' }, empty)
  post('auth-bearer', 'another scheme (Bearer): anonymous', { ...base, authorization: `Bearer ${NOT_A_TOKEN}` }, empty)
  post('auth-before-workspace', 'no Authorization and no workspace: authentication is checked first',
    without(without(base, 'authorization'), 'x-simple-workspace'), empty)
  post('auth-keyword-lowercase', '"token <key>": the keyword ignores case (then the fields fail)', { ...base, authorization: `token ${ctx.token}` }, empty)

  // the partition headers
  post('workspace-missing', 'no x-simple-workspace', without(base, 'x-simple-workspace'), empty)
  post('workspace-blank', 'x-simple-workspace of spaces only', { ...base, 'x-simple-workspace': '   ' }, empty)
  post('test-mode-invalid', 'x-piriod-test-mode that is not a boolean', { ...base, 'x-piriod-test-mode': 'maybe' }, empty)
  post('test-mode-uppercase', 'x-piriod-test-mode: TRUE (then the fields fail)', { ...base, 'x-piriod-test-mode': 'TRUE' }, empty)
  post('test-mode-false', 'x-piriod-test-mode: false, the live partition (then the fields fail)', { ...base, 'x-piriod-test-mode': 'false' }, empty)

  // content types, charsets and negotiation
  post('content-type-missing', 'a body with no Content-Type', without(base, 'content-type'), empty)
  post('content-type-text', 'text/plain', { ...base, 'content-type': 'text/plain' }, empty)
  post('content-type-form', 'a form body', { ...base, 'content-type': 'application/x-www-form-urlencoded' }, `payment=${payment}&amount=${UNCOVERABLE}`)
  post('content-type-vendor-json', 'application/vnd.api+json', { ...base, 'content-type': 'application/vnd.api+json' }, empty)
  post('content-type-charset', 'application/json; charset=utf-8 (then the fields fail)', { ...base, 'content-type': 'application/json; charset=utf-8' }, empty)
  post('content-type-latin1', 'application/json; charset=latin-1, a body with é', { ...base, 'content-type': 'application/json; charset=latin-1' },
    Buffer.from(JSON.stringify({ payment, amount: '0', reason: 'requested_by_customer', receipt: 'caf\u00e9' }), 'latin1'))
  post('accept-xml', 'Accept: application/xml, which no renderer offers', { ...base, accept: 'application/xml' }, empty)

  // JSON
  post('json-empty-body', 'no body at all: parsed as {}', { ...base, 'content-length': '0' })
  post('json-malformed', 'JSON cut short', base, `{"payment": ${payment}, "amount":`)
  post('json-extra-data', 'a second value after the object', base, '{}}')
  post('json-nan', 'NaN, which Python reads and DRF refuses', base, `{"payment": ${payment}, "amount": NaN}`)
  post('json-infinity', '-Infinity', base, `{"payment": ${payment}, "amount": -Infinity}`)
  post('json-not-utf8', 'a byte that is not UTF-8', base, Buffer.concat([Buffer.from('{"receipt": "'), Buffer.from([0xff]), Buffer.from('"}')]))
  post('json-bom', 'a UTF-8 byte-order mark', base, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), empty]))
  post('json-array', 'a list instead of an object', base, '[]')
  post('json-string', 'a string instead of an object', base, '"refund"')

  // every field's errors
  field('payment-missing', 'no payment', {}, ['payment'])
  field('payment-null', 'payment: null', { payment: null })
  field('payment-string', 'payment: "abc"', { payment: 'abc' })
  field('payment-boolean', 'payment: true', { payment: true })
  field('payment-object', 'payment: {}', { payment: {} })
  field('amount-missing', 'no amount', {}, ['amount'])
  field('amount-null', 'amount: null', { amount: null })
  field('amount-not-a-number', 'amount: "ten"', { amount: 'ten' })
  field('amount-zero', 'amount: 0', { amount: 0 })
  field('amount-negative', 'amount: "-5.00"', { amount: '-5.00' })
  field('amount-decimal-places', 'amount: "0.001", three decimal places', { amount: '0.001' })
  field('amount-digits', 'amount: "12345678901234.00", 16 digits', { amount: '12345678901234.00' })
  field('amount-nan-string', 'amount: "NaN"', { amount: 'NaN' })
  field('amount-infinity-string', 'amount: "Infinity"', { amount: 'Infinity' })
  field('amount-boolean', 'amount: true', { amount: true })
  field('amount-list', 'amount: [1]', { amount: [1] })
  field('reason-missing', 'no reason', {}, ['reason'])
  field('reason-null', 'reason: null', { reason: null })
  field('reason-bad-choice', 'reason: "because"', { reason: 'because' })
  field('reason-number', 'reason: 1', { reason: 1 })
  field('receipt-missing', 'no receipt', {}, ['receipt'])
  field('receipt-blank', 'receipt: ""', { receipt: '' })
  field('receipt-null', 'receipt: null', { receipt: null })
  field('receipt-too-long', 'receipt of 257 characters', { receipt: 'r'.repeat(257) })
  field('receipt-object', 'receipt: {}', { receipt: {} })
  field('note-too-long', 'note of 65 characters (and no receipt)', { note: 'n'.repeat(65) }, ['receipt'])
  field('note-list', 'note: [] (and no receipt)', { note: [] }, ['receipt'])
  field('metadata-string', 'metadata: "x"', { metadata: 'x' })
  field('metadata-list', 'metadata: []', { metadata: [] })
  field('several-errors', 'four fields wrong at once', { payment: 'x', amount: '-1', reason: 'x', receipt: 'r'.repeat(300) })

  // methods and the path
  const noBody = without(base, 'content-type')
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
    probes.push({ name: `method-${method.toLowerCase()}`, about: `${method} /refunds/: 405 with Allow`, method, path: 'refunds/', headers: noBody })
  }
  probes.push({ name: 'method-get-anonymous', about: 'GET without a token: authentication comes before the method', method: 'GET', path: 'refunds/', headers: without(noBody, 'authorization') })
  probes.push({ name: 'options', about: 'OPTIONS /refunds/: the metadata DRF describes the endpoint with (reads and writes nothing)', method: 'OPTIONS', path: 'refunds/', headers: noBody })
  post('path-without-slash', 'POST /refunds: the redirect to /refunds/ (APPEND_SLASH)', base, empty)
  probes[probes.length - 1]!.path = 'refunds'
  return probes
}

/** The i-th refund of 0.01 (--writes, i from 1 to 3): the three forms a client sends an amount and the optional
 * fields in. */
export function writeProbe (ctx: ProbeContext & { payment: number }, i: number): Probe {
  const bodies: Array<Record<string, unknown>> = [
    { payment: ctx.payment, amount: '0.01', reason: 'requested_by_customer', receipt: 'piriod-mock-parity-1' },
    { payment: ctx.payment, amount: 0.01, reason: 'duplicate', receipt: 'piriod-mock-parity-2', note: 'parity', metadata: { parity: true, run: 2 } },
    { payment: ctx.payment, amount: '0.01', reason: 'fraudulent', receipt: 'piriod-mock-parity-3', note: null }
  ]
  return { name: `refund-${i}`, about: `a refund of 0.01 on --payment (${i} of at most 3)`, method: 'POST', path: 'refunds/', headers: baseHeaders(ctx), body: json(bodies[i - 1]) }
}

/** After the writes: exactly the remaining balance plus 0.01, so DRF's message names the real number. */
export function exactOverRefundProbe (ctx: ProbeContext & { payment: number }, amount: string): Probe {
  return {
    name: 'over-refund-exact',
    about: `the remaining balance plus 0.01 (${amount}) on --payment`,
    method: 'POST',
    path: 'refunds/',
    headers: baseHeaders(ctx),
    body: json({ payment: ctx.payment, amount, reason: 'requested_by_customer', receipt: 'piriod-mock-parity-over' })
  }
}
