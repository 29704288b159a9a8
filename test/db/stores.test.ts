// Each store on its own, on a real in-memory database: what it stores and the results it returns (never HTTP
// answers: the serializers and routes make those).
import t, { type Test } from 'tap'
import { systemClock } from '../../src/clock.js'
import { MEMORY, openDatabase, type DB } from '../../src/db/connection.js'
import { migrate } from '../../src/db/migrate.js'
import { createPaymentStore } from '../../src/db/payment-store.js'
import { createRefundStore, type NewRefund } from '../../src/db/refund-store.js'
import { createSnapshotStore } from '../../src/db/snapshot-store.js'
import type { DocumentPayment } from '../../src/db/snapshot-store.js'

const P1 = { workspace: 'acc_1', testMode: false }
const P1_TEST = { workspace: 'acc_1', testMode: true }

function stores (t: Test) {
  const db: DB = openDatabase(MEMORY)
  migrate(db)
  t.teardown(() => db.close())
  let tick = 1_700_000_000_000
  const clock = systemClock(() => ++tick)
  return { db, payments: createPaymentStore(db, clock), refunds: createRefundStore(db, clock), snapshots: createSnapshotStore(db, clock) }
}

const refund = (fields: Partial<NewRefund> = {}): NewRefund =>
  ({ paymentId: 7, amount: 1000, reason: 'duplicate', note: null, receipt: 'R-1', metadata: '{}', ...fields })

t.test('payment store: ids per partition, one sequence when left out', async t => {
  const { payments } = stores(t)
  const created = payments.create(P1, { id: 7, amount: 10_000, refundOutcome: 'succeeded' })
  t.match(created, { kind: 'created', payment: { workspace: 'acc_1', testMode: false, id: 7, amount: 10_000, refunded: 0, refundOutcome: 'succeeded' } })
  t.strictSame(payments.create(P1, { id: 7, amount: 1, refundOutcome: 'succeeded' }), { kind: 'exists', id: 7 })
  t.equal(payments.create(P1_TEST, { id: 7, amount: 1, refundOutcome: 'failed' }).kind, 'created', 'the same id in another mode')
  t.match(payments.create(P1, { id: null, amount: 1, refundOutcome: 'succeeded' }), { kind: 'created', payment: { id: 8 } })
  t.equal(payments.find(P1, 7)?.amount, 10_000)
  t.equal(payments.find({ workspace: 'acc_2', testMode: false }, 7), undefined)
})

t.test('refund store: the balance rule, failed outcomes, refunds read back oldest first', async t => {
  const { payments, refunds } = stores(t)
  const created = payments.create(P1, { id: 7, amount: 10_000, refundOutcome: 'succeeded' })
  payments.create(P1, { id: 8, amount: 500, refundOutcome: 'failed' })
  t.match(await refunds.create(P1, refund({ amount: 6000, metadata: '{"order":"A-1"}' })), { kind: 'created', refund: { paymentId: 7, amount: 6000, balance: 4000, status: 'succeeded', metadata: '{"order":"A-1"}' } })
  t.strictSame(await refunds.create(P1, refund({ amount: 4001 })), { kind: 'exceeds', remaining: 4000 })
  t.strictSame(await refunds.create(P1_TEST, refund()), { kind: 'no_payment' }, 'partitions never mix')
  const [a, b] = await Promise.all([refunds.create(P1, refund({ amount: 2500 })), refunds.create(P1, refund({ amount: 2500 }))])
  t.match([a, b], [{ kind: 'created', refund: { balance: 1500 } }, { kind: 'exceeds', remaining: 1500 }], 'one batch: each refund against what the one before it left')
  t.match(await refunds.create(P1, refund({ paymentId: 8, amount: 500 })), { kind: 'created', refund: { status: 'failed', balance: 500 } })
  t.match(await refunds.create(P1, refund({ paymentId: 8, amount: 500 })), { kind: 'created', refund: { status: 'failed', balance: 500 } }, 'a failed refund consumes nothing')
  if (created.kind !== 'created') throw new Error('no payment')
  const back = [...payments.refunds(created.payment)]
  t.strictSame(back.map(r => [r.amount, r.balance]), [[6000, 4000], [2500, 1500]])
  t.equal(back[0]?.metadata, '{"order":"A-1"}', 'the JSON text as stored')
  t.ok((back[0]?.createdUs as number) < (back[1]?.createdUs as number))
  t.equal(payments.find(P1, 7)?.refunded, 8500)
})

t.test('snapshot store: export, replace a scope, seed only what is missing, a taken refund id', async t => {
  const { payments, refunds, snapshots } = stores(t)
  payments.create(P1, { id: 7, amount: 10_000, refundOutcome: 'succeeded' })
  payments.create({ workspace: 'acc_2', testMode: false }, { id: 7, amount: 100, refundOutcome: 'succeeded' })
  await refunds.create(P1, refund())
  const exported = [...snapshots.export({ workspace: 'acc_1', testMode: null })].map(e => ({ ...e, refunds: [...e.refunds] }))
  t.equal(exported.length, 1)
  t.match(exported[0], { payment: { id: 7, refunded: 1000 }, refunds: [{ amount: 1000, balance: 9000 }] })
  t.equal([...snapshots.export({ workspace: null, testMode: null })].length, 2)

  const doc = (id: number, refundId: string | null): DocumentPayment => ({
    workspace: 'acc_1',
    testMode: false,
    id,
    amount: 5000,
    refundOutcome: 'succeeded',
    createdUs: 1_000_000,
    refunds: [{ id: refundId, amount: 100, reason: 'fraudulent', note: null, receipt: 'S', status: 'succeeded', metadata: '{}', createdUs: 2_000_000, updatedUs: null }]
  })
  const existingId = exported[0]?.refunds[0]?.id as string
  const taken = snapshots.replace({ workspace: 'acc_1', testMode: null }, [doc(9, 'ref_new'), doc(10, existingId)])
  // the scope's own refunds are deleted first, so only an id elsewhere is taken: here there is none
  t.match(taken, { kind: 'replaced', deleted: { payments: 1, refunds: 1 }, imported: { payments: 2, refunds: 2 } })
  t.strictSame([...snapshots.export({ workspace: 'acc_1', testMode: null })].map(e => [e.payment.id, e.payment.refunded, [...e.refunds][0]?.id]), [[9, 100, 'ref_new'], [10, 100, existingId]])
  const clash = snapshots.replace({ workspace: 'acc_2', testMode: null }, [{ ...doc(11, 'ref_new'), workspace: 'acc_2' }])
  t.strictSame(clash, { kind: 'refund_id_taken', payment: 0, refund: 0, id: 'ref_new' })
  t.equal([...snapshots.export({ workspace: 'acc_2', testMode: null })].length, 1, 'nothing of the failed replace was written')
  t.match(snapshots.seed([doc(9, null), doc(12, null)]), { kind: 'seeded', added: { payments: 1, refunds: 1 } }, 'payment 9 exists and is left as it is')
  t.strictSame(snapshots.seed([doc(13, 'ref_new')]), { kind: 'refund_id_taken', payment: 0, refund: 0, id: 'ref_new' })
  t.strictSame(snapshots.reset({ workspace: 'acc_1', testMode: null }), { payments: 3, refunds: 3 })
})
