// A clock tests can move (CLOCK, /__admin/clock) and byte-identical runs under a fixed clock.
import t from 'tap'
import { build, createPayment, postRefund, refundBody } from '../helper.js'
import { parseDuration } from '../../src/clock.js'
import type { App } from '../../src/app.js'

const START = '2026-01-01T00:00:00Z'
const clockCall = (app: App, body?: unknown) => app.inject(body === undefined
  ? { method: 'GET', url: '/__admin/clock' }
  : { method: 'POST', url: '/__admin/clock', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })

/** 50 requests of every kind, the same each time; what each answered, as text (journal durations masked). */
async function scriptedRun (app: App): Promise<string[]> {
  const answers: string[] = []
  const keep = async (res: Promise<{ statusCode: number, body: string }>) => {
    const r = await res
    answers.push(`${r.statusCode} ${r.body.replace(/"duration_ms":[\d.]+/g, '"duration_ms":0')}`)
  }
  await keep(app.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }, payload: '{"amount":100}' }))
  await keep(app.inject({ method: 'POST', url: '/__admin/payments', headers: { 'x-simple-workspace': 'acc_2', 'x-piriod-test-mode': 'true', 'content-type': 'application/json' }, payload: '{"amount":"20.50"}' }))
  for (let i = 0; i < 20; i++) await keep(postRefund(app, refundBody({ payment: 1, amount: '1.25', receipt: `R-${i % 3}`, metadata: { i } })))
  for (let i = 0; i < 10; i++) await keep(postRefund(app, refundBody({ payment: i % 2 === 0 ? 1 : 99, amount: i % 3 === 0 ? 'x' : 500 })))
  for (let i = 0; i < 5; i++) await keep(postRefund(app, refundBody({ payment: 2, amount: 4 }), { 'x-simple-workspace': 'acc_2', 'x-piriod-test-mode': 'true' }))
  await keep(clockCall(app, { advance: 'PT1H' }))
  for (let i = 0; i < 5; i++) await keep(postRefund(app, refundBody({ payment: 1, amount: 2, receipt: 'R-0' })))
  await keep(app.inject({ method: 'GET', url: '/__admin/payments/1', headers: { 'x-simple-workspace': 'acc_1' } }))
  await keep(app.inject({ method: 'GET', url: '/__admin/snapshot' }))
  await keep(app.inject({ method: 'GET', url: '/__admin/requests?limit=1000' }))
  await keep(clockCall(app, { advance_ms: 1500 }))
  await keep(clockCall(app))
  await keep(app.inject({ method: 'POST', url: '/__admin/reset', headers: { 'x-simple-workspace': 'acc_2' } }))
  await keep(app.inject({ method: 'GET', url: '/__admin/snapshot' }))
  return answers
}

t.test('two fresh emulators with the same CLOCK answer the same requests byte for byte', async t => {
  const [{ app: a }, { app: b }] = await Promise.all([build(t, { config: { CLOCK: START } }), build(t, { config: { CLOCK: START } })])
  const [first, second] = [await scriptedRun(a), await scriptedRun(b)]
  t.equal(first.length, 50)
  t.strictSame(second, first)
  t.match(first[2], /^201 \{"id":"ref_[0-9a-f]{26}","payment":1,"amount":1\.25,"balance":98\.75,.*"created":"2026-01-01T00:00:00\.000002Z"/, 'the third record')
  t.ok(first.some(a => a.includes('"possible_duplicate":true')), 'the duplicate detector read the same clock')
  // and a different start is a different run
  const { app: c } = await build(t, { config: { CLOCK: '2026-01-02T00:00:00Z' } })
  t.notSame(await scriptedRun(c), first)
})

t.test('a fixed clock: created times and ids from the clock, moved only when told', async t => {
  const { app } = await build(t, { config: { CLOCK: START, DUPLICATE_WINDOW_MS: 10_000 } })
  t.strictSame((await clockCall(app)).json(), { now: '2026-01-01T00:00:00Z', mode: 'fixed' })
  await createPayment(app, { id: 7, amount: 100 })
  const one = (await postRefund(app, refundBody())).json()
  const two = (await postRefund(app, refundBody({ receipt: 'R-2' }))).json()
  t.equal(one.created, '2026-01-01T00:00:00.000001Z', 'one microsecond a record (the payment came first)')
  t.equal(two.created, '2026-01-01T00:00:00.000002Z')
  const hex = (us: number) => us.toString(16).padStart(14, '0')
  const start = Date.UTC(2026, 0, 1) * 1000
  t.equal(one.id, `ref_${hex(start + 1)}000000000001`, 'the time and the database\'s counter')
  t.equal(two.id, `ref_${hex(start + 2)}000000000002`)
  t.strictSame((await clockCall(app, { advance_ms: 11_000 })).json(), { now: '2026-01-01T00:00:11Z', mode: 'fixed' })
  const later = (await postRefund(app, refundBody())).json()
  t.equal(later.created, '2026-01-01T00:00:11Z')
  t.strictSame((await clockCall(app, { advance: 'PT5S' })).json().now, '2026-01-01T00:00:16Z', 'records do not move the clock\'s own time')
  await postRefund(app, refundBody())
  const journal = (await app.inject({ method: 'GET', url: '/__admin/requests?path=/refunds/' })).json() as { results: Array<{ time: string, possible_duplicate: boolean }> }
  t.strictSame(journal.results.map(e => [e.time, e.possible_duplicate]), [
    ['2026-01-01T00:00:16.000Z', true], ['2026-01-01T00:00:11.000Z', true], ['2026-01-01T00:00:00.000Z', false], ['2026-01-01T00:00:00.000Z', false]
  ], 'a retry 11 s later by the clock is not a duplicate (10 s window); one 5 s after that is')
  t.strictSame((await clockCall(app, { now: '2026-06-01T12:00:00.5+02:00' })).json(), { now: '2026-06-01T10:00:00.500000Z', mode: 'fixed' })
  t.strictSame((await clockCall(app, { now: '2026-06-01T05:30:00-05:00' })).json(), { now: '2026-06-01T10:30:00Z', mode: 'fixed' })
  t.strictSame((await clockCall(app, { reset: true })).json(), { now: '2026-01-01T00:00:00Z', mode: 'fixed' }, 'reset: the configured clock')
  const after = (await postRefund(app, refundBody({ amount: 2 }))).json()
  t.equal(after.created, '2026-01-01T00:00:16.000001Z', 'records still never go back in time: just after the last one')
})

t.test('moving backwards is refused; bad changes get field-keyed 400s', async t => {
  const { app } = await build(t, { config: { CLOCK: START } })
  const no = await clockCall(app, { now: '2025-12-31T23:59:59Z' })
  t.equal(no.statusCode, 400)
  t.strictSame(no.json(), { now: ['The clock only moves forward: it is at 2026-01-01T00:00:00Z, after 2025-12-31T23:59:59Z.'] })
  const cases: Array<[unknown, Record<string, string[]>]> = [
    [{}, { non_field_errors: ['Give one of "now" (an ISO-8601 instant), "advance_ms", "advance" (an ISO-8601 duration) or "reset": true.'] }],
    [{ now: START, advance_ms: 1 }, { non_field_errors: ['Give one of "now" (an ISO-8601 instant), "advance_ms", "advance" (an ISO-8601 duration) or "reset": true.'] }],
    [{ now: 'tomorrow' }, { now: ['Enter an ISO-8601 instant from 1970 on, such as "2026-01-01T00:00:00Z".'] }],
    [{ now: 1767225600 }, { now: ['Enter an ISO-8601 instant from 1970 on, such as "2026-01-01T00:00:00Z".'] }],
    [{ advance: 600 }, { advance: ['Enter an ISO-8601 duration of weeks, days, hours, minutes and seconds, such as "PT10M".'] }],
    [[], { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] }],
    [{ now: '2026-02-30T00:00:00Z' }, { now: ['Enter an ISO-8601 instant from 1970 on, such as "2026-01-01T00:00:00Z".'] }],
    [{ advance_ms: -1 }, { advance_ms: ['Ensure this value is greater than or equal to 0.'] }],
    [{ advance_ms: 'x' }, { advance_ms: ['A valid integer is required.'] }],
    [{ advance: 'P1M' }, { advance: ['Enter an ISO-8601 duration of weeks, days, hours, minutes and seconds, such as "PT10M".'] }],
    [{ advance: 'P99999W' }, { advance: ['Ensure this value is less than or equal to 3162240000000 ms.'] }],
    [{ reset: false }, { reset: ['Must be true.'] }]
  ]
  for (const [body, errors] of cases) {
    const res = await clockCall(app, body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.strictSame(res.json(), errors, JSON.stringify(body))
  }
  t.strictSame((await clockCall(app)).json().now, '2026-01-01T00:00:00Z', 'nothing moved')
  t.equal(parseDuration('PT10M'), 600_000_000)
  t.equal(parseDuration('P1W2DT3H4M5.25S'), ((9 * 24 + 3) * 3600 + 4 * 60 + 5) * 1e6 + 250_000)
  for (const bad of ['P', 'PT', 'P1DT', 'PT1.S', '10M', 'P1Y', 'PT-1S']) t.equal(parseDuration(bad), null, bad)
})

t.test('the system clock: set and advance apply an offset, and it keeps ticking', async t => {
  const { app } = await build(t)
  const before = new Date((await clockCall(app)).json().now).getTime()
  t.ok(Math.abs(before - Date.now()) < 5000)
  t.equal((await clockCall(app)).json().mode, 'system')
  const set = (await clockCall(app, { now: '2030-01-01T00:00:00Z' })).json() as { now: string }
  t.match(set.now, /^2030-01-01T00:00:00/)
  await new Promise(resolve => setTimeout(resolve, 20))
  const ticking = new Date((await clockCall(app)).json().now).getTime()
  t.ok(ticking >= Date.UTC(2030, 0, 1) + 15, 'it went on from there')
  await createPayment(app, { id: 7, amount: 10 })
  const made = (await postRefund(app, refundBody())).json().created as string
  t.match(made, /^2030-01-01T00:00:00\./)
  await clockCall(app, { advance: 'P1D' })
  t.match((await clockCall(app)).json().now, /^2030-01-02T00:00:00/)
  const back = new Date((await clockCall(app, { reset: true })).json().now).getTime()
  t.ok(Math.abs(back - Date.now()) < 5000, 'reset: the wall clock again')
  const after = (await postRefund(app, refundBody())).json().created as string
  t.ok(after > made && after.startsWith('2030-01-01T00:00:00.'), `records never go back in time: ${after}, just after ${made}`)
})

t.test('200 concurrent refunds under a fixed clock: unique ids, ordered by time', async t => {
  const { app } = await build(t, { config: { CLOCK: START } })
  await createPayment(app, { id: 7, amount: 1000 })
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => postRefund(app, refundBody({ receipt: `R-${i}` }))))
  const refunds = answers.map(r => r.json() as { id: string, created: string })
  t.equal(new Set(refunds.map(r => r.id)).size, 200)
  t.equal(new Set(refunds.map(r => r.created)).size, 200)
  const byId = [...refunds].sort((x, y) => x.id < y.id ? -1 : 1)
  const byTime = [...refunds].sort((x, y) => x.created < y.created ? -1 : 1)
  t.strictSame(byId.map(r => r.id), byTime.map(r => r.id), 'ids sort as created does')
})

t.test('a snapshot records the clock, and a restore continues from it', async t => {
  const { app } = await build(t, { config: { CLOCK: START } })
  await createPayment(app, { id: 7, amount: 100 })
  await clockCall(app, { advance: 'PT2H' })
  await postRefund(app, refundBody())
  const snapshot = (await app.inject({ method: 'GET', url: '/__admin/snapshot' })).body
  t.match(snapshot, /,"clock":"2026-01-01T02:00:00\.000001Z"\}$/)
  const { app: fresh } = await build(t, { config: { CLOCK: START } })
  t.equal((await fresh.inject({ method: 'POST', url: '/__admin/snapshot', headers: { 'content-type': 'application/json' }, payload: snapshot })).statusCode, 200)
  t.strictSame((await clockCall(fresh)).json().now, '2026-01-01T02:00:00.000001Z', 'continues from the snapshot\'s time')
  t.equal((await fresh.inject({ method: 'GET', url: '/__admin/snapshot' })).body, snapshot, 'byte for byte, clock included')
  t.equal((await postRefund(fresh, refundBody())).json().created, '2026-01-01T02:00:00.000001Z')
  // a snapshot from the past does not turn the clock back
  await clockCall(fresh, { advance: 'P1D' })
  await fresh.inject({ method: 'POST', url: '/__admin/snapshot', headers: { 'content-type': 'application/json' }, payload: snapshot })
  t.match((await clockCall(fresh)).json().now, /^2026-01-02T02:00:00/)
})
