// Payments: created by the admin API, read back with their refunds.
import type { Clock } from '../clock.js'
import { detail } from '../errors.js'
import type { Partition } from '../partition.js'
import { refundFromRow, type Refund, type RefundRow } from './refund-store.js'
import type { DB } from './connection.js'

export type RefundOutcome = 'succeeded' | 'failed'

export interface NewPayment {
  id: number | null
  /** minor units */
  amount: number
  refundOutcome: RefundOutcome
}

export interface PaymentRow {
  pk: number
  workspace: string
  test_mode: 0 | 1
  id: number
  amount: number
  refunded: number
  refund_outcome: RefundOutcome
  created_us: number
}

export interface ResetCounts { payments: number, refunds: number }

const COLUMNS = 'pk, workspace, test_mode, id, amount, refunded, refund_outcome, created_us'

export function createPaymentStore (db: DB, clock: Clock) {
  const nextId = db.prepare<[], { id: number }>('SELECT last_id + 1 AS id FROM payment_id_sequence')
  const insert = db.prepare<Record<string, unknown>, PaymentRow>(
    `INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us)
     VALUES (@workspace, @test_mode, @id, @amount, @refund_outcome, @created_us)
     ON CONFLICT (workspace, test_mode, id) DO NOTHING
     RETURNING ${COLUMNS}`)
  const byId = db.prepare<[string, number, number], PaymentRow>(
    `SELECT ${COLUMNS} FROM payments WHERE workspace = ? AND test_mode = ? AND id = ?`)
  const refundsOf = db.prepare<[number], RefundRow>(
    'SELECT r.*, p.id AS payment_id FROM refunds r JOIN payments p ON p.pk = r.payment_pk WHERE r.payment_pk = ? ORDER BY r.pk')
  const rowFor = (p: Partition, payment: NewPayment, id: number): Record<string, unknown> => ({
    workspace: p.workspace,
    test_mode: p.testMode ? 1 : 0,
    id,
    amount: payment.amount,
    refund_outcome: payment.refundOutcome,
    created_us: clock.now()
  })

  const create = db.transaction((p: Partition, payment: NewPayment): PaymentRow => {
    const id = payment.id ?? (nextId.get() as { id: number }).id
    const row = insert.get(rowFor(p, payment, id))
    if (row === undefined) throw detail(409, `Payment ${id} already exists in this workspace and mode.`)
    return row
  })

  return {
    /** Creates a payment; 409 ApiError when the id is taken in the partition. */
    create (p: Partition, payment: NewPayment): PaymentRow {
      return create.immediate(p, payment)
    },

    find (p: Partition, id: number): PaymentRow | undefined {
      return byId.get(p.workspace, p.testMode ? 1 : 0, id)
    },

    refunds (payment: PaymentRow): Refund[] {
      return refundsOf.all(payment.pk).map(refundFromRow)
    }
  }
}

export type PaymentStore = ReturnType<typeof createPaymentStore>
