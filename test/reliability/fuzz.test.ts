// Property-based: hostile bodies and headers — any JSON, wrong types in every field, huge and odd strings, NUL
// bytes, deep nesting, duplicate keys, numbers like 1e308, -0, 0.1e1, bytes that are not UTF-8 — never get a
// 5xx, always get JSON, and never change the state unless they are a valid refund. FC_SCALE multiplies the cases (1500).
import t from 'tap'
import fc from 'fast-check'
import { build, createPayment } from '../helper.js'

const RUNS = 1500 * Number(process.env.FC_SCALE ?? 1)

const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\u2028', '\ufeff7', '٧', '1e400', 'NaN', '-0', '0.1e1', '1_0', 'x'.repeat(70_000)),
  fc.integer({ min: 0, max: 5000 }).map(n => '['.repeat(n) + ']'.repeat(n))
)
const oddNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 0.1, 0.30000000000000004, 9007199254740993, 12.5))
const anyValue = fc.oneof(fc.jsonValue(), oddString, oddNumber, fc.constant(null), fc.boolean())

// a refund body with any field replaced by anything
const refundish = fc.record({
  payment: fc.oneof(fc.constant(7), anyValue),
  amount: fc.oneof(fc.constant(1), anyValue),
  reason: fc.oneof(fc.constant('duplicate'), anyValue),
  receipt: fc.oneof(fc.constant('R'), anyValue),
  note: fc.oneof(fc.constant(null), anyValue),
  metadata: fc.oneof(fc.constant({}), anyValue)
}, { requiredKeys: [] }).map(o => JSON.stringify(o))

// raw texts JSON.stringify would never produce
const rawText = fc.oneof(
  fc.json(),
  fc.string(),
  fc.constantFrom('{"payment":7,"payment":"x","amount":1,"amount":2}', '{"amount":1e400}', '{"amount":-0}', '{"amount":0.1e1,"payment":7,"reason":"fraudulent","receipt":"R"}',
    'NaN', '{"a":Infinity}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}', '\ufeff{}', '{', '[1,2', '"', ' '),
  fc.integer({ min: 1, max: 3000 }).map(n => `{"metadata":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`)
)

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=latin-1', 'application/json; charset=ascii', '*/*', 'text/plain', 'application/x-www-form-urlencoded', '*', 'application/json, x') },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter(s => /^[\x20-\x7e]*$/.test(s)) }
)
const headerValue = fc.string({ maxLength: 30 }).filter(s => /^[\x20-\x7e]*$/.test(s))

t.test('never a 5xx, always JSON, no change unless a refund was made', async t => {
  const { app, db } = await build(t, { config: { JOURNAL_SIZE: 50 } })
  await createPayment(app, { id: 7, amount: 1000000 })
  const state = () => db.prepare('SELECT (SELECT count(*) FROM refunds) AS refunds, (SELECT refunded FROM payments) AS refunded, (SELECT count(*) FROM payments) AS payments').get()
  let made = 0
  const statuses = new Map<number, number>()
  await fc.assert(fc.asyncProperty(
    fc.oneof({ weight: 3, arbitrary: refundish }, { weight: 2, arbitrary: rawText }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map(b => Buffer.from(b)) }),
    fc.record({
      'content-type': contentType,
      authorization: fc.oneof({ weight: 5, arbitrary: fc.constant('Token t') }, { weight: 1, arbitrary: headerValue }),
      'x-simple-workspace': fc.oneof({ weight: 5, arbitrary: fc.constant('acc_1') }, { weight: 1, arbitrary: headerValue }),
      'x-piriod-test-mode': fc.oneof({ weight: 5, arbitrary: fc.constant('false') }, { weight: 1, arbitrary: headerValue }),
      accept: fc.oneof({ weight: 5, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: headerValue })
    }, { requiredKeys: [] }),
    fc.oneof({ weight: 12, arbitrary: fc.constant('POST') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'GET', 'OPTIONS', 'DELETE') }),
    fc.oneof({ weight: 12, arbitrary: fc.constant('/refunds/') }, { weight: 1, arbitrary: fc.constantFrom('/refunds', '/refunds/?format=json', '/__admin/payments', '/__admin/faults') }),
    async (payload, headers, method, url) => {
      const before = state()
      const res = await app.inject({ method: method as 'POST', url, headers, ...(method === 'GET' ? {} : { payload }) })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${method} ${url} ${String(payload).slice(0, 200)}: ${res.body}`)
      if (res.statusCode === 301) return
      if (!String(res.headers['content-type']).startsWith('application/json')) throw new Error(`not JSON: ${res.headers['content-type']}`)
      JSON.parse(res.body)
      if (res.statusCode === 201) made++
      else if (JSON.stringify(state()) !== JSON.stringify(before)) throw new Error(`a ${res.statusCode} changed the state: ${JSON.stringify([before, state()])}`)
      // a fault rule the fuzzer made would skew what follows
      if (url === '/__admin/faults' && res.statusCode === 201) await app.inject({ method: 'DELETE', url: '/__admin/faults' })
    }
  ), { numRuns: RUNS })
  t.ok((statuses.get(400) ?? 0) > RUNS / 3, `most reach the fields and are refused there: ${JSON.stringify([...statuses])}`)
  t.pass(`${RUNS} hostile requests, ${made} refunds or payments made: ${JSON.stringify(Object.fromEntries(statuses))}`)
})

// the admin bodies: fault rules (an action with any body, headers, statuses), snapshot documents and clock changes,
// shaped like the real thing with any part replaced by anything
const often = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyValue })
const faultish = fc.record({
  match: often(fc.record({ method: often(fc.constant('POST')), path: often(fc.constantFrom('/refunds/', '/refunds/*')) }, { requiredKeys: [] })),
  action: often(fc.record({
    status: often(fc.constantFrom(503, 200, 599)),
    body: often(fc.jsonValue()),
    headers: often(fc.dictionary(fc.oneof(fc.constantFrom('retry-after', 'Set-Cookie', 'content-type', 'x'), fc.string({ maxLength: 8 })), often(fc.string({ maxLength: 20 })))),
    delay_ms: often(fc.constantFrom(0, 1)),
    drop_connection: often(fc.boolean()),
    after_commit: often(fc.boolean())
  }, { requiredKeys: [] })),
  times: often(fc.constantFrom(0, 1))
}, { requiredKeys: [] }).map(o => JSON.stringify(o))
const snapshotish = fc.record({
  payments: fc.oneof(fc.array(fc.record({
    workspace: fc.oneof(fc.constant('acc_9'), anyValue),
    test_mode: fc.oneof(fc.boolean(), anyValue),
    id: fc.oneof(fc.integer({ min: 1, max: 50 }), anyValue),
    amount: fc.oneof(fc.constantFrom(10, '10.00'), anyValue),
    refund_outcome: fc.oneof(fc.constant('succeeded'), anyValue),
    created: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), anyValue),
    refunds: fc.oneof(fc.array(fc.record({
      id: fc.oneof(fc.string({ maxLength: 10 }), anyValue),
      amount: fc.oneof(fc.constant(1), anyValue),
      reason: fc.oneof(fc.constant('duplicate'), anyValue),
      receipt: fc.oneof(fc.constant('R'), anyValue),
      metadata: fc.oneof(fc.constant({}), anyValue),
      created: fc.oneof(fc.constant('2026-01-01T00:00:01Z'), anyValue)
    }, { requiredKeys: [] }), { maxLength: 3 }), anyValue)
  }, { requiredKeys: [] }), { maxLength: 3 }), anyValue),
  clock: fc.oneof(fc.constant('2026-01-01T00:00:00Z'), anyValue)
}, { requiredKeys: [] }).map(o => JSON.stringify(o))
const clockish = fc.oneof(
  fc.record({ now: anyValue, advance_ms: anyValue, advance: anyValue, reset: anyValue }, { requiredKeys: [] }).map(o => JSON.stringify(o)),
  fc.constantFrom('{"advance_ms": 1e400}', '{"now": "2026-02-30T00:00:00Z"}', '{"advance": "P1Y"}', '{"reset": 1}')
)
const raws = fc.constantFrom('{"action": {"status": 500, "body": {"x": 1e400}}}', '{"action": {"status": 1e400}}', '{"payments": [{"workspace": "a", "id": 1e400, "amount": 1e400}]}',
  '{"payments": [{"workspace": "ws\\u2603", "id": 1, "amount": 1}]}', '{"action": {"status": 500, "body": "\\ud800"}}')

t.test('admin bodies (faults, snapshots, the clock): never a 5xx, always JSON', async t => {
  const { app } = await build(t, { config: { CLOCK: '2026-01-01T00:00:00Z' } })
  const statuses = new Map<number, number>()
  await fc.assert(fc.asyncProperty(
    fc.oneof(
      faultish.map(p => ['/__admin/faults', p] as const),
      snapshotish.map(p => ['/__admin/snapshot', p] as const),
      clockish.map(p => ['/__admin/clock', p] as const),
      raws.map(p => [p.includes('payments') ? '/__admin/snapshot' : '/__admin/faults', p] as const),
      rawText.map(p => ['/__admin/faults', p] as const)
    ),
    fc.oneof(fc.constant({}), fc.constant({ 'x-simple-workspace': 'acc_9' })),
    async ([url, payload], headers) => {
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload })
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1)
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for POST ${url} ${payload.slice(0, 300)}: ${res.body}`)
      if (!String(res.headers['content-type']).startsWith('application/json')) throw new Error(`not JSON: ${res.headers['content-type']}`)
      JSON.parse(res.body)
      if (url === '/__admin/faults' && res.statusCode === 201) {
        // the rule answers too: JSON, whatever it was given (or no answer at all: a dropped connection)
        const fired = await app.inject({ method: 'POST', url: '/refunds/', headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_9' }, payload: '{}' }).catch(() => null)
        if (fired !== null && !String(fired.headers['content-type']).startsWith('application/json')) throw new Error(`a fault answered ${fired.headers['content-type']}`)
        await app.inject({ method: 'DELETE', url: '/__admin/faults' })
      }
      if (url === '/__admin/clock') await app.inject({ method: 'POST', url: '/__admin/clock', headers: { 'content-type': 'application/json' }, payload: '{"reset": true}' })
    }
  ), { numRuns: RUNS })
  t.ok((statuses.get(400) ?? 0) > RUNS / 4, `most are refused, field by field: ${JSON.stringify([...statuses])}`)
  t.ok((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > 0, 'some are taken')
})
