// Payments: created by the admin API, read back with their refunds.
import type { Clock } from '../clock.js'
import type { RefundOutcome } from '../domain.js'
import type { Partition, Scope } from '../partition.js'
import { refundReader, type StoredRefund } from './refund-store.js'
import type { DB } from './connection.js'

export interface NewPayment {
  id: number | null
  /** minor units */
  amount: number
  refundOutcome: RefundOutcome
}

/** A payment as the stores hand it over: money in minor units, time in microseconds. */
export interface StoredPayment {
  pk: number
  workspace: string
  testMode: boolean
  id: number
  amount: number
  refunded: number
  refundOutcome: RefundOutcome
  createdUs: number
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

export const PAYMENT_COLUMNS = 'pk, workspace, test_mode, id, amount, refunded, refund_outcome, created_us'

export function paymentFromRow (row: PaymentRow): StoredPayment {
  return {
    pk: row.pk,
    workspace: row.workspace,
    testMode: row.test_mode === 1,
    id: row.id,
    amount: row.amount,
    refunded: row.refunded,
    refundOutcome: row.refund_outcome,
    createdUs: row.created_us
  }
}

export type CreatePaymentResult =
  | { kind: 'created', payment: StoredPayment }
  /** the id is taken in the partition */
  | { kind: 'exists', id: number }

export interface ResetCounts { payments: number, refunds: number }

/** A payment as the list answers it: with how many refunds it has. */
export type ListedPayment = StoredPayment & { refundCount: number }

// (workspace, test_mode) filters with NULL meaning "any" (shared with the snapshot store)
export const SCOPED = '(@workspace IS NULL OR workspace = @workspace) AND (@test_mode IS NULL OR test_mode = @test_mode)'
export const scopeParams = (s: Scope) => ({ workspace: s.workspace, test_mode: s.testMode === null ? null : s.testMode ? 1 : 0 })

export function createPaymentStore (db: DB, clock: Clock) {
  const nextId = db.prepare<[], { id: number }>('SELECT last_id + 1 AS id FROM payment_id_sequence')
  const insert = db.prepare<Record<string, unknown>, PaymentRow>(
    `INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us)
     VALUES (@workspace, @test_mode, @id, @amount, @refund_outcome, @created_us)
     ON CONFLICT (workspace, test_mode, id) DO NOTHING
     RETURNING ${PAYMENT_COLUMNS}`)
  const byId = db.prepare<[string, number, number], PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE workspace = ? AND test_mode = ? AND id = ?`)
  const refundsOf = refundReader(db)
  const countScope = db.prepare<Record<string, unknown>, { n: number }>(`SELECT count(*) AS n FROM payments WHERE ${SCOPED}`)
  const pageOfScope = db.prepare<Record<string, unknown>, PaymentRow & { refund_count: number }>(
    `SELECT ${PAYMENT_COLUMNS}, (SELECT count(*) FROM refunds r WHERE r.payment_pk = payments.pk) AS refund_count
     FROM payments WHERE ${SCOPED} ORDER BY workspace, test_mode, id LIMIT @limit OFFSET @offset`)

  const create = db.transaction((p: Partition, payment: NewPayment): CreatePaymentResult => {
    const id = payment.id ?? (nextId.get() as { id: number }).id
    const row = insert.get({
      workspace: p.workspace,
      test_mode: p.testMode ? 1 : 0,
      id,
      amount: payment.amount,
      refund_outcome: payment.refundOutcome,
      created_us: clock.stamp()
    })
    return row === undefined ? { kind: 'exists', id } : { kind: 'created', payment: paymentFromRow(row) }
  })

  return {
    /** Creates a payment, unless its id is taken in the partition. */
    create (p: Partition, payment: NewPayment): CreatePaymentResult {
      return create.immediate(p, payment)
    },

    find (p: Partition, id: number): StoredPayment | undefined {
      const row = byId.get(p.workspace, p.testMode ? 1 : 0, id)
      return row === undefined ? undefined : paymentFromRow(row)
    },

    /** How many payments the scope holds. */
    count (scope: Scope): number {
      return (countScope.get(scopeParams(scope)) as { n: number }).n
    },

    /** A page of the scope's payments, ordered by workspace, mode and id. */
    list (scope: Scope, offset: number, limit: number): ListedPayment[] {
      return pageOfScope.all({ ...scopeParams(scope), offset, limit }).map(row => ({ ...paymentFromRow(row), refundCount: row.refund_count }))
    },

    /** The payment's refunds, oldest first, read a page at a time as they are taken. */
    refunds (payment: StoredPayment): Generator<StoredRefund, void, undefined> {
      return refundsOf(payment.pk)
    }
  }
}

export type PaymentStore = ReturnType<typeof createPaymentStore>
