// Crash safety: the server is killed with SIGKILL at random moments while a second process (this one) drives
// concurrent refunds; after every restart the database is intact, every refund a client saw a 201 for is
// stored, and the money adds up. CRASH_ITERATIONS scales the number of kills.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { startServer } from '../process.js'

const ITERATIONS = Number(process.env.CRASH_ITERATIONS ?? 5)
// removed with the test run (tap's fixture folder)
const dir = t.testdir()
const path = join(dir, 'crash.sqlite')
const seed = join(dir, 'seed.json')
const PAYMENTS = 20
// most payments outlast every round, so each round stores refunds; the last four run out early, so the balance
// rule is at its limit while the server dies
const amountOf = (id: number): number => id <= 16 ? 100_000 : 5
writeFileSync(seed, JSON.stringify({ payments: Array.from({ length: PAYMENTS }, (_, i) => ({ workspace: 'acc_1', id: i + 1, amount: amountOf(i + 1) })) }))

t.test(`${ITERATIONS} kills under load`, async t => {
  const acknowledged = new Map<string, { payment: number, cents: number }>()
  let sent = 0
  for (let round = 0; round < ITERATIONS; round++) {
    const server = await startServer(t, { DATABASE_PATH: path, SEED_FILE: seed, LOG_LEVEL: 'warn' })
    let running = true
    const worker = async (): Promise<void> => {
      // eslint-disable-next-line no-unmodified-loop-condition -- set to false by the round's timer below
      while (running) {
        const payment = 1 + Math.floor(Math.random() * PAYMENTS)
        const cents = 1 + Math.floor(Math.random() * 300)
        sent++
        try {
          const res = await fetch(`${server.url}/refunds/`, {
            method: 'POST',
            headers: { authorization: 'Token t', 'x-simple-workspace': 'acc_1', 'content-type': 'application/json' },
            body: JSON.stringify({ payment, amount: cents / 100, reason: 'duplicate', receipt: `R-${round}` })
          })
          const body = await res.json() as { id?: string }
          if (res.status >= 500) throw new Error(`${res.status} ${JSON.stringify(body)}`)
          if (res.status === 201) acknowledged.set(body.id as string, { payment, cents })
        } catch (err) {
          if (running || (err as Error).message.match(/^\d{3} /) !== null) throw err
        }
      }
    }
    const workers = Array.from({ length: 16 }, () => worker().catch((err: Error) => err))
    await new Promise(resolve => setTimeout(resolve, 150 + Math.random() * 500))
    // from here on a failed request is the kill's doing; the requests in flight die with the server
    running = false
    server.child.kill('SIGKILL')
    await server.exited
    const errors = (await Promise.all(workers)).filter(e => e instanceof Error)
    t.strictSame(errors, [], `round ${round}: no 5xx, only dropped connections after the kill`)

    const db = new Database(path, { readonly: false })
    t.equal(db.pragma('integrity_check', { simple: true }), 'ok', `round ${round}: integrity_check`)
    const stored = new Map(db.prepare('SELECT r.id, p.id AS payment, r.amount FROM refunds r JOIN payments p ON p.pk = r.payment_pk').all()
      .map(r => { const row = r as { id: string, payment: number, amount: number }; return [row.id, row] }))
    const missing = [...acknowledged].filter(([id, a]) => stored.get(id)?.amount !== a.cents || stored.get(id)?.payment !== a.payment)
    t.strictSame(missing, [], `round ${round}: every acknowledged refund is stored, as acknowledged`)
    const sums = db.prepare(`SELECT p.id, p.amount, p.refunded, coalesce(sum(r.amount), 0) AS stored FROM payments p
      LEFT JOIN refunds r ON r.payment_pk = p.pk AND r.status = 'succeeded' GROUP BY p.pk`).all() as Array<{ id: number, amount: number, refunded: number, stored: number }>
    t.ok(sums.every(p => p.refunded === p.stored && p.refunded <= p.amount), `round ${round}: refunded totals equal their refunds and stay within the amount`)
    db.close()
  }
  t.ok(acknowledged.size > 0, `${sent} refunds sent, ${acknowledged.size} acknowledged across ${ITERATIONS} kills`)
})
