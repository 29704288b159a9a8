// Snapshots and seeds: payments with their refunds, exported and imported exactly (ids, timestamps, balances).
import type { Clock } from '../clock.js'
import type { Scope } from '../partition.js'
import type { RefundOutcome, RefundReason, RefundStatus } from '../domain.js'
import { INSERT_REFUND, refundIds, refundReader, type StoredRefund } from './refund-store.js'
import type { DB } from './connection.js'
import { PAYMENT_COLUMNS, paymentFromRow, SCOPED, scopeParams, type PaymentRow, type ResetCounts, type StoredPayment } from './payment-store.js'

/** A refund of a snapshot or seed document, read and checked (src/test-kit/snapshot.ts). */
export interface DocumentRefund {
  id: string | null
  amount: number
  reason: RefundReason
  note: string | null
  receipt: string
  status: RefundStatus
  /** a JSON object (src/python/json.ts dumps) */
  metadata: string
  createdUs: number | null
  updatedUs: number | null
}

/** A payment of a snapshot or seed document, with its refunds. */
export interface DocumentPayment {
  workspace: string
  testMode: boolean
  id: number
  amount: number
  refundOutcome: RefundOutcome
  createdUs: number | null
  refunds: DocumentRefund[]
}

/** A refund id of the document that another refund already has: nothing of the document was written. */
export interface RefundIdTaken { kind: 'refund_id_taken', payment: number, refund: number, id: string }

// thrown inside a transaction to roll it back; the store's callers get a RefundIdTaken result
class Taken extends Error {
  constructor (readonly result: RefundIdTaken) { super(result.id) }
}

function untaken<T> (write: () => T): T | RefundIdTaken {
  try {
    return write()
  } catch (err) {
    if (err instanceof Taken) return err.result
    throw err
  }
}

/** Payments read at a time by an export. */
const PAYMENT_PAGE = 500

export function createSnapshotStore (db: DB, clock: Clock) {
  const firstPayments = db.prepare<Record<string, unknown>, PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE ${SCOPED} ORDER BY workspace, test_mode, id LIMIT @limit`)
  const paymentsAfter = db.prepare<Record<string, unknown>, PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE ${SCOPED} AND (workspace, test_mode, id) > (@after_workspace, @after_test_mode, @after_id)
     ORDER BY workspace, test_mode, id LIMIT @limit`)
  const refundsOf = refundReader(db)
  const counts = db.prepare<Record<string, unknown>, ResetCounts>(
    `SELECT (SELECT count(*) FROM payments WHERE ${SCOPED}) AS payments,
            (SELECT count(*) FROM refunds WHERE payment_pk IN (SELECT pk FROM payments WHERE ${SCOPED})) AS refunds`)
  const deleteScope = db.prepare<Record<string, unknown>>(`DELETE FROM payments WHERE ${SCOPED}`)
  const refundExists = db.prepare<[string], { one: 1 }>('SELECT 1 AS one FROM refunds WHERE id = ?')
  const insertPayment = db.prepare<Record<string, unknown>, { pk: number }>(
    `INSERT INTO payments (workspace, test_mode, id, amount, refund_outcome, created_us)
     VALUES (@workspace, @test_mode, @id, @amount, @refund_outcome, @created_us)
     ON CONFLICT (workspace, test_mode, id) DO NOTHING RETURNING pk`)
  const insertRefund = db.prepare(INSERT_REFUND)
  const newId = refundIds(db, clock)
  /** A new id for an imported refund that has none: drawn again in the unlikely case that it is taken. */
  function freshId (createdUs: number): string {
    let id = newId(createdUs)
    while (refundExists.get(id) !== undefined) id = newId(clock.stamp())
    return id
  }

  /**
   * Inserts a payment (document entry `i`) and its refunds unless the payment exists; returns the refunds
   * inserted, or -1. A refund id that exists already throws Taken (the transaction rolls back).
   */
  function insert (p: DocumentPayment, i: number): number {
    const now = clock.stamp()
    const row = insertPayment.get({
      workspace: p.workspace,
      test_mode: p.testMode ? 1 : 0,
      id: p.id,
      amount: p.amount,
      refund_outcome: p.refundOutcome,
      created_us: p.createdUs ?? now
    })
    if (row === undefined) return -1
    if (p.createdUs !== null) clock.observe(p.createdUs)
    let balance = p.amount
    for (const [j, r] of p.refunds.entries()) {
      if (r.id !== null && refundExists.get(r.id) !== undefined) throw new Taken({ kind: 'refund_id_taken', payment: i, refund: j, id: r.id })
      if (r.status === 'succeeded') balance -= r.amount
      const created = r.createdUs ?? clock.stamp()
      // records made later get later times, and so ids (which begin with the time) that differ from these
      clock.observe(Math.max(created, r.updatedUs ?? created))
      insertRefund.run({
        id: r.id ?? freshId(created),
        payment_pk: row.pk,
        amount: r.amount,
        balance,
        reason: r.reason,
        note: r.note,
        receipt: r.receipt,
        status: r.status,
        metadata: r.metadata,
        created_us: created,
        updated_us: r.updatedUs ?? created
      })
    }
    return p.refunds.length
  }

  const reset = db.transaction((scope: Scope): ResetCounts => {
    const deleted = counts.get(scopeParams(scope)) as ResetCounts
    deleteScope.run(scopeParams(scope))
    return deleted
  })

  const replace = db.transaction((scope: Scope, docs: readonly DocumentPayment[]) => {
    const deleted = reset(scope)
    const imported = { payments: docs.length, refunds: 0 }
    docs.forEach((p, i) => { imported.refunds += insert(p, i) })
    return { kind: 'replaced' as const, deleted, imported }
  })

  const seed = db.transaction((docs: readonly DocumentPayment[]) => {
    const added = { payments: 0, refunds: 0 }
    docs.forEach((p, i) => {
      const refunds = insert(p, i)
      if (refunds < 0) return
      added.payments++
      added.refunds += refunds
    })
    return { kind: 'seeded' as const, added }
  })

  return {
    /**
     * The scope's payments, ordered by workspace, mode and id, each with its refunds oldest first: read a page at a
     * time as they are taken, so an export of any size is never held whole. Data written while it is read may be in
     * it or not; each payment's refunds are always a complete history up to some moment.
     */
    * export (scope: Scope): Generator<{ payment: StoredPayment, refunds: Generator<StoredRefund, void, undefined> }, void, undefined> {
      const params = { ...scopeParams(scope), limit: PAYMENT_PAGE }
      let page = firstPayments.all(params)
      while (page.length > 0) {
        for (const row of page) yield { payment: paymentFromRow(row), refunds: refundsOf(row.pk) }
        if (page.length < PAYMENT_PAGE) return
        const last = page[page.length - 1] as PaymentRow
        page = paymentsAfter.all({ ...params, after_workspace: last.workspace, after_test_mode: last.test_mode, after_id: last.id })
      }
    },

    /** Deletes the scope's payments and their refunds; returns how many there were. */
    reset (scope: Scope): ResetCounts {
      return reset.immediate(scope)
    },

    /** Replaces the scope's data with the document's, in one transaction. */
    replace (scope: Scope, docs: readonly DocumentPayment[]) {
      return untaken(() => replace.immediate(scope, docs))
    },

    /** Adds the payments (with their refunds) that do not exist yet; existing ones are left as they are. */
    seed (docs: readonly DocumentPayment[]) {
      return untaken(() => seed.immediate(docs))
    }
  }
}

export type SnapshotStore = ReturnType<typeof createSnapshotStore>
