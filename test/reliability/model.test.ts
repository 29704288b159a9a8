// Property-based: random sequences of payments and refunds — amounts with 0 to 2 decimals, tiny and huge, as
// numbers and as strings, valid and not; several workspaces, both modes; one at a time and in concurrent
// batches — checked after every step against a model of the money. FC_SCALE multiplies the number of sequences (200).
import t, { type Test } from 'tap'
import fc from 'fast-check'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import { spec } from '../helper.js'
import { buildApp, type App } from '../../src/app.js'
import { MEMORY, openDatabase } from '../../src/db/connection.js'
import { migrate } from '../../src/db/migrate.js'

const RUNS = 200 * Number(process.env.FC_SCALE ?? 1)
const ajv = new Ajv({ strict: false })
addFormats.default(ajv)
const isRefund = ajv.compile(spec.components.schemas.Refund as object)
const isValidationError = ajv.compile(spec.components.schemas.ValidationError as object)

const WORKSPACES = ['acc_1', 'acc_2', 'acc_3']
const MAX_CENTS = 999_999_999_999_999

interface ModelPayment { workspace: string, testMode: boolean, id: number, amount: number, refunded: number, outcome: 'succeeded' | 'failed', refunds: number }

/** An amount in cents and one of the ways a client may write it. */
const amountArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 2, 99, 100) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_CENTS }) }
).chain(cents => fc.constantFrom(
  cents / 100,
  (cents / 100).toFixed(2),
  cents % 10 === 0 ? (cents / 100).toFixed(1) : (cents / 100).toFixed(2),
  cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2)
).map(text => ({ cents, text })))

const invalidAmountArb = fc.constantFrom(0, -1, '0.001', '12.345', 'x', '', null, true, [], '1e400', 12345678901234)

type Step =
  | { kind: 'payment', workspace: string, testMode: boolean, cents: number, text: string | number, outcome: 'succeeded' | 'failed' }
  | { kind: 'refund', pick: number, amount: { cents: number, text: string | number } | { invalid: unknown }, receipt: string, other: boolean }
  | { kind: 'batch', pick: number, amounts: Array<{ cents: number, text: string | number }> }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('payment' as const), workspace: fc.constantFrom(...WORKSPACES), testMode: fc.boolean(), outcome: fc.constantFrom('succeeded' as const, 'succeeded' as const, 'failed' as const) }).chain(p => amountArb.map(a => ({ ...p, cents: a.cents, text: a.text }))) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), amount: fc.oneof({ weight: 5, arbitrary: amountArb }, { weight: 1, arbitrary: invalidAmountArb.map(invalid => ({ invalid })) }), receipt: fc.string({ minLength: 1, maxLength: 20 }).filter(s => s.trim() !== '' && !s.includes('\0')), other: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('batch' as const), pick: fc.nat(), amounts: fc.array(amountArb, { minLength: 2, maxLength: 12 }) }) }
)

async function refund (app: App, p: { workspace: string, testMode: boolean, id: number }, amount: unknown, receipt = 'R', metadata: unknown = {}) {
  return app.inject({
    method: 'POST',
    url: '/refunds/',
    headers: { authorization: 'Token t', 'x-simple-workspace': p.workspace, 'x-piriod-test-mode': String(p.testMode), 'content-type': 'application/json' },
    payload: JSON.stringify({ payment: p.id, amount, reason: 'requested_by_customer', receipt, metadata })
  })
}

async function checkInvariants (t: Test, app: App, payments: ModelPayment[]): Promise<void> {
  for (const m of payments) {
    const res = await app.inject({ method: 'GET', url: `/__admin/payments/${m.id}`, headers: { 'x-simple-workspace': m.workspace, 'x-piriod-test-mode': String(m.testMode) } })
    const p = res.json() as { amount: number, refunded: number, balance: number, refunds: Array<{ amount: number, status: string }> }
    const cents = (x: number) => Math.round(x * 100)
    const stored = p.refunds.filter(r => r.status === 'succeeded').reduce((sum, r) => sum + cents(r.amount), 0)
    if (cents(p.refunded) + cents(p.balance) !== cents(p.amount) || cents(p.refunded) !== stored || p.balance < 0 ||
      cents(p.refunded) !== m.refunded || p.refunds.length !== m.refunds || cents(p.amount) !== m.amount) {
      t.fail(`payment ${m.workspace}/${m.testMode}/${m.id}: ${JSON.stringify({ got: p, model: m })}`)
      throw new Error('invariant broken')
    }
  }
}

t.test('the money model holds after every step', async t => {
  let steps = 0
  await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 25 }), async plan => {
    const db = openDatabase(MEMORY)
    migrate(db)
    const app = await buildApp({ db, config: { JOURNAL_SIZE: 0 } }, { logger: false })
    const payments: ModelPayment[] = []
    try {
      for (const step of plan) {
        steps++
        if (step.kind === 'payment') {
          const res = await app.inject({
            method: 'POST',
            url: '/__admin/payments',
            headers: { 'x-simple-workspace': step.workspace, 'x-piriod-test-mode': String(step.testMode), 'content-type': 'application/json' },
            payload: JSON.stringify({ amount: step.text, refund_outcome: step.outcome })
          })
          if (res.statusCode !== 201) throw new Error(`payment: ${res.statusCode} ${res.body}`)
          payments.push({ workspace: step.workspace, testMode: step.testMode, id: res.json().id, amount: step.cents, refunded: 0, outcome: step.outcome, refunds: 0 })
        } else if (payments.length > 0) {
          const m = payments[step.pick % payments.length] as ModelPayment
          if (step.kind === 'refund') {
            // sometimes aimed at the same id in another partition, which must not touch this payment
            const target = step.other ? { ...m, workspace: `${m.workspace}_other` } : m
            const amount = 'invalid' in step.amount ? step.amount.invalid : step.amount.text
            const res = await refund(app, target, amount, step.receipt)
            const remaining = m.amount - m.refunded
            if (step.other || 'invalid' in step.amount) {
              if (res.statusCode !== 400 || !isValidationError(res.json())) throw new Error(`expected a 400: ${res.statusCode} ${res.body}`)
            } else if (step.amount.cents > remaining) {
              if (res.statusCode !== 400) throw new Error(`over-refund accepted: ${res.body}`)
            } else {
              if (res.statusCode !== 201 || !isRefund(res.json())) throw new Error(`expected a 201: ${res.statusCode} ${res.body}`)
              const consumed = m.outcome === 'succeeded' ? step.amount.cents : 0
              m.refunded += consumed
              m.refunds++
              if (Math.round(res.json().balance * 100) !== m.amount - m.refunded) throw new Error(`balance ${res.json().balance} vs model ${m.amount - m.refunded}`)
            }
          } else {
            const before = m.amount - m.refunded
            const answers = await Promise.all(step.amounts.map(a => refund(app, m, a.text)))
            const created: Array<{ cents: number, balance: number }> = []
            answers.forEach((res, i) => {
              if (res.statusCode === 201) created.push({ cents: (step.amounts[i] as { cents: number }).cents, balance: Math.round(res.json().balance * 100) })
              else if (res.statusCode !== 400 || !isValidationError(res.json())) throw new Error(`batch: ${res.statusCode} ${res.body}`)
            })
            // whatever order they were applied in, the balances they report tell it: each is what the ones
            // before it left
            const consumed = m.outcome === 'succeeded'
            created.sort((a, b) => b.balance - a.balance)
            let left = before
            for (const c of created) {
              if (consumed) left -= c.cents
              if (c.balance !== left || left < 0) throw new Error(`batch balances ${JSON.stringify(created)} from ${before}`)
            }
            m.refunded = m.amount - left
            m.refunds += created.length
          }
        }
        await checkInvariants(t, app, payments)
      }
    } finally {
      await app.close()
      db.close()
    }
  }), { numRuns: RUNS })
  t.pass(`${RUNS} sequences, ${steps} steps`)
})
