// The money rule under concurrency: one process with many requests in flight, and two processes on one file.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { build, createPayment } from './helper.js'
import { startServer } from './process.js'

// removed with the test run (tap's fixture folder)
const dir = t.testdir()
const HEADERS = { authorization: 'Token t', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' }

async function fire (url: string, n: number, amount: number, payment = 7): Promise<Array<{ status: number, body: Record<string, unknown> }>> {
  return Promise.all(Array.from({ length: n }, async () => {
    const res = await fetch(`${url}/refunds/`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ payment, amount, reason: 'duplicate', receipt: 'R' }) })
    return { status: res.status, body: await res.json() as Record<string, unknown> }
  }))
}

for (const storage of ['memory', 'file'] as const) {
  t.test(`200 concurrent refunds of 1 on a payment of 50 (${storage} database): exactly 50 succeed`, async t => {
    const { app } = await build(t, storage === 'file' ? { path: join(dir, 'one.sqlite') } : {})
    await createPayment(app, { id: 7, amount: 50 })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    const results = await fire(url, 200, 1)
    const created = results.filter(r => r.status === 201)
    const refused = results.filter(r => r.status === 400)
    t.equal(created.length, 50)
    t.equal(refused.length, 150)
    t.strictSame(created.map(r => r.body.balance).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 50 }, (_, i) => i))
    t.ok(refused.every(r => JSON.stringify(r.body) === '{"amount":["Ensure this value is less than or equal to the payment\'s remaining refundable balance of 0.00."]}'))
    const payment = await (await fetch(`${url}/__admin/payments/7`, { headers: { 'x-simple-workspace': 'acc_1' } })).json() as { balance: number, refunded: number, refunds: unknown[] }
    t.equal(payment.balance, 0)
    t.equal(payment.refunded, 50)
    t.equal(payment.refunds.length, 50)
  })
}

t.test('two processes on one database file never over-refund', async t => {
  const path = join(dir, 'shared.sqlite')
  const seed = join(dir, 'seed.json')
  writeFileSync(seed, JSON.stringify({ payments: [{ workspace: 'acc_1', id: 7, amount: 100 }, { workspace: 'acc_1', id: 8, amount: '33.33' }] }))
  const env = { DATABASE_PATH: path, SEED_FILE: seed, LOG_LEVEL: 'warn' }
  const [a, b] = await Promise.all([startServer(t, env), startServer(t, env)])
  const rounds = await Promise.all([
    fire(a.url, 120, 1), fire(b.url, 120, 1),
    fire(a.url, 60, 0.5, 8), fire(b.url, 60, 0.51, 8)
  ])
  const all = rounds.flat()
  t.equal(all.filter(r => r.status >= 500).length, 0, 'nothing answers 5xx')
  const seven = [...(rounds[0] ?? []), ...(rounds[1] ?? [])].filter(r => r.status === 201)
  t.equal(seven.length, 100, 'exactly the amount is refunded from payment 7')
  t.strictSame(seven.map(r => r.body.balance).sort((x, y) => Number(x) - Number(y)), Array.from({ length: 100 }, (_, i) => i), 'every balance is seen once')
  const eight = [...(rounds[2] ?? []), ...(rounds[3] ?? [])].filter(r => r.status === 201)
  const eightTotal = eight.reduce((sum, r) => sum + Math.round(Number(r.body.amount) * 100), 0)
  t.ok(eightTotal <= 3333, `payment 8: ${eightTotal} of 3333 cents`)
  t.ok(eightTotal > 3333 - 51, 'and only less than one refund short of it')
  t.equal(await a.stop(), 0)
  t.equal(await b.stop(), 0)
  const db = new Database(path, { readonly: true })
  t.teardown(() => db.close())
  const rows = db.prepare('SELECT p.id, p.amount, p.refunded, (SELECT coalesce(sum(amount), 0) FROM refunds r WHERE r.payment_pk = p.pk AND r.status = \'succeeded\') AS stored FROM payments p ORDER BY p.id').all()
  t.strictSame(rows, [{ id: 7, amount: 10000, refunded: 10000, stored: 10000 }, { id: 8, amount: 3333, refunded: eightTotal, stored: eightTotal }])
  t.equal(db.pragma('integrity_check', { simple: true }), 'ok')
})
