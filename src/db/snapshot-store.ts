// Snapshots and seeds: payments with their refunds, exported and imported exactly (ids, timestamps, balances).
import type { Clock } from '../clock.js'
import { formatDateTime, refundId } from '../clock.js'
import { invalid } from '../errors.js'
import type { Scope } from '../partition.js'
import type { DocumentPayment } from '../test-kit/snapshot.js'
import { refundFromRow, toMajorUnits, type RefundRow } from './refund-store.js'
import type { DB } from './connection.js'
import type { PaymentRow, ResetCounts } from './payment-store.js'

// (workspace, test_mode) filters with NULL meaning "any"; the partition index serves both.
const SCOPED = '(@workspace IS NULL OR workspace = @workspace) AND (@test_mode IS NULL OR test_mode = @test_mode)'

const params = (s: Scope) => ({ workspace: s.workspace, test_mode: s.testMode === null ? null : s.testMode ? 1 : 0 })

export function createSnapshotStore (db: DB, clock: Clock) {
  const payments = db.prepare<Record<string, unknown>, PaymentRow>(
    `SELECT * FROM payments WHERE ${SCOPED} ORDER BY workspace, test_mode, id`)
  const refundsOf = db.prepare<[number], RefundRow>(
    'SELECT r.*, p.id AS payment_id FROM refunds r JOIN payments p ON p.pk = r.payment_pk WHERE r.payment_pk = ? ORDER BY r.pk')
  const counts = db.prepare<Record<string, unknown>, ResetCounts>(
    `SELECT (SELECT count(*) FROM payments WHERE ${SCOPED}) AS payments,
            (SELECT count(*) FROM refunds WHERE payment_pk IN (SELECT pk FROM payments WHERE ${SCOPED})) AS refunds`)
  const deleteScope = db.prepare<Record<string, unknown>>(`DELETE FROM payments WHERE ${SCOPED}`)
  const refundExists = db.prepare<[string], { one: 1 }>('SELECT 1 AS one FROM refunds WHERE id = ?')
  const insertPayment = db.prepare<Record<string, unknown>, { pk: number }>(
    `INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us)
     VALUES (@workspace, @test_mode, @id, @amount, @refund_outcome, @created_us)
     ON CONFLICT (workspace, test_mode, id) DO NOTHING RETURNING pk`)
  const insertRefund = db.prepare(
    `INSERT INTO refunds (id, payment_pk, amount, balance, reason, note, receipt, status, metadata, created_us, updated_us)
     VALUES (@id, @payment_pk, @amount, @balance, @reason, @note, @receipt, @status, @metadata, @created_us, @updated_us)`)

  /**
   * Inserts a payment (document entry `i`) and its refunds unless the payment exists; returns the refunds
   * inserted, or -1. A refund id that exists already is a 400 naming the entry (the transaction rolls back).
   */
  function insert (p: DocumentPayment, i: number): number {
    const now = clock.now()
    const row = insertPayment.get({
      workspace: p.workspace,
      test_mode: p.testMode ? 1 : 0,
      id: p.id,
      amount: p.amount,
      refund_outcome: p.refundOutcome,
      created_us: p.createdUs ?? now
    })
    if (row === undefined) return -1
    let balance = p.amount
    for (const [j, r] of p.refunds.entries()) {
      if (r.id !== null && refundExists.get(r.id) !== undefined) {
        throw invalid({ [`payments[${i}].refunds[${j}].id`]: [`A refund with id ${r.id} already exists.`] })
      }
      if (r.status === 'succeeded') balance -= r.amount
      const created = r.createdUs ?? clock.now()
      insertRefund.run({
        id: r.id ?? refundId(created),
        payment_pk: row.pk,
        amount: r.amount,
        balance,
        reason: r.reason,
        note: r.note,
        receipt: r.receipt,
        status: r.status,
        metadata: JSON.stringify(r.metadata),
        created_us: created,
        updated_us: r.updatedUs ?? created
      })
    }
    return p.refunds.length
  }

  const reset = db.transaction((scope: Scope): ResetCounts => {
    const deleted = counts.get(params(scope)) as ResetCounts
    deleteScope.run(params(scope))
    return deleted
  })

  const replace = db.transaction((scope: Scope, docs: readonly DocumentPayment[]) => {
    const deleted = reset(scope)
    const imported = { payments: docs.length, refunds: 0 }
    docs.forEach((p, i) => { imported.refunds += insert(p, i) })
    return { deleted, imported }
  })

  const seed = db.transaction((docs: readonly DocumentPayment[]) => {
    const added = { payments: 0, refunds: 0 }
    docs.forEach((p, i) => {
      const refunds = insert(p, i)
      if (refunds < 0) return
      added.payments++
      added.refunds += refunds
    })
    return added
  })

  return {
    /** The scope's payments with their refunds, in the document's format. */
    export (scope: Scope) {
      return {
        payments: payments.all(params(scope)).map(p => ({
          workspace: p.workspace,
          test_mode: p.test_mode === 1,
          id: p.id,
          amount: toMajorUnits(p.amount),
          refund_outcome: p.refund_outcome,
          created: formatDateTime(p.created_us),
          // the Refund as the API answers it, without `payment` (the entry it sits in)
          refunds: refundsOf.all(p.pk).map(r => {
            const { payment: _payment, ...refund } = refundFromRow(r)
            return refund
          })
        }))
      }
    },

    /** Deletes the scope's payments and their refunds; returns how many there were. */
    reset (scope: Scope): ResetCounts {
      return reset.immediate(scope)
    },

    /** Replaces the scope's data with the document's, in one transaction. */
    replace (scope: Scope, docs: readonly DocumentPayment[]) {
      return replace.immediate(scope, docs)
    },

    /** Adds the payments (with their refunds) that do not exist yet; existing ones are left as they are. */
    seed (docs: readonly DocumentPayment[]) {
      return seed.immediate(docs)
    }
  }
}

export type SnapshotStore = ReturnType<typeof createSnapshotStore>
