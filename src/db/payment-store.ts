// Payments: created by the admin API and the seed file, read back with their refunds, reset.
import type { Clock } from '../clock.js'
import { ApiError, detail } from '../errors.js'
import type { Partition } from '../partition.js'
import { refundFromRow, type Refund, type RefundRow } from './refund-store.js'
import type { DB } from './connection.js'
import { rethrowUnavailable } from './sqlite-errors.js'

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

export interface SeedPayment extends NewPayment {
  id: number
  workspace: string
  testMode: boolean
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
  const countAll = db.prepare<[], ResetCounts>(
    'SELECT (SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM refunds) AS refunds')
  const countWorkspace = db.prepare<[string, string], ResetCounts>(
    `SELECT (SELECT count(*) FROM payments WHERE workspace = ?) AS payments,
            (SELECT count(*) FROM refunds r JOIN payments p ON p.pk = r.payment_pk WHERE p.workspace = ?) AS refunds`)
  const deleteAllRefunds = db.prepare('DELETE FROM refunds')
  const deleteAllPayments = db.prepare('DELETE FROM payments')
  const deleteWorkspace = db.prepare<[string]>('DELETE FROM payments WHERE workspace = ?')

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

  const seed = db.transaction((payments: readonly SeedPayment[]): number => {
    let added = 0
    for (const payment of payments) {
      const p = { workspace: payment.workspace, testMode: payment.testMode }
      if (insert.get(rowFor(p, payment, payment.id)) !== undefined) added++
    }
    return added
  })

  const reset = db.transaction((workspace: string | null): ResetCounts => {
    if (workspace === null) {
      const counts = countAll.get() as ResetCounts
      deleteAllRefunds.run()
      deleteAllPayments.run()
      return counts
    }
    const counts = countWorkspace.get(workspace, workspace) as ResetCounts
    deleteWorkspace.run(workspace)
    return counts
  })

  return {
    /** Creates a payment; 409 ApiError when the id is taken in the partition. */
    create (p: Partition, payment: NewPayment): PaymentRow {
      try {
        return create.immediate(p, payment)
      } catch (err) {
        if (err instanceof ApiError) throw err
        return rethrowUnavailable(err)
      }
    },

    find (p: Partition, id: number): PaymentRow | undefined {
      return byId.get(p.workspace, p.testMode ? 1 : 0, id)
    },

    refunds (payment: PaymentRow): Refund[] {
      return refundsOf.all(payment.pk).map(refundFromRow)
    },

    /** Adds the payments that do not exist yet, in one transaction; returns how many were added. */
    seed (payments: readonly SeedPayment[]): number {
      return seed.immediate(payments)
    },

    /** Deletes everything, or one workspace in both modes; returns what was deleted. */
    reset (workspace: string | null): ResetCounts {
      try {
        return reset.immediate(workspace)
      } catch (err) {
        return rethrowUnavailable(err)
      }
    }
  }
}

export type PaymentStore = ReturnType<typeof createPaymentStore>
