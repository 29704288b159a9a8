// Refunds: the money rule, applied in write transactions taken up front (BEGIN IMMEDIATE), so that no two
// requests — in this process or another one sharing the file — can both spend the same balance.
//
// Group commit: refunds that arrive together (in one turn of the event loop) are applied one by one inside one
// transaction, each against the balance the ones before it left, and answered only after that transaction has
// committed. A commit costs the same for one refund or fifty, so this is what keeps a file database fast under
// load; a request never hears of a refund that is not committed.
import type { Clock } from '../clock.js'
import { refundId } from '../clock.js'
import type { RefundReason, RefundStatus } from '../domain.js'
import type { Partition } from '../partition.js'
import type { DB } from './connection.js'

export interface NewRefund {
  paymentId: number
  /** minor units */
  amount: number
  reason: RefundReason
  note: string | null
  receipt: string
  /** a JSON object, as the client's dict reads in Python (src/python/json.ts dumps) */
  metadata: string
}

/** A refund as the stores hand it over: money in minor units, times in microseconds. */
export interface StoredRefund {
  id: string
  paymentId: number
  amount: number
  balance: number
  reason: RefundReason
  note: string | null
  receipt: string
  status: RefundStatus
  /** the JSON object stored, rendered as it is */
  metadata: string
  createdUs: number
  updatedUs: number
}

interface RefundRow {
  id: string
  payment_id: number
  amount: number
  balance: number
  reason: RefundReason
  note: string | null
  receipt: string
  status: RefundStatus
  metadata: string
  created_us: number
  updated_us: number
}

/** A payment's refunds after a refund (by pk), oldest first, with the payment's public id. */
const REFUNDS_AFTER =
  'SELECT r.*, p.id AS payment_id FROM refunds r JOIN payments p ON p.pk = r.payment_pk WHERE r.payment_pk = ? AND r.pk > ? ORDER BY r.pk'

/** How much one read of a payment's refunds takes at most: this many refunds, or their metadata this many characters. */
const REFUND_PAGE = { rows: 500, chars: 4 * 1024 * 1024 }

/**
 * A payment's refunds, oldest first, read a page at a time as they are taken (shared with the payment and snapshot
 * stores): a payment with a million refunds is never read whole. No statement stays open between pages, so the
 * connection serves other requests while an answer that lists them is written.
 */
export function refundReader (db: DB): (paymentPk: number) => Generator<StoredRefund, void, undefined> {
  const after = db.prepare<[number, number], RefundRow & { pk: number }>(REFUNDS_AFTER)
  return function * refundsOf (paymentPk) {
    let last = 0
    for (;;) {
      const page: StoredRefund[] = []
      let chars = 0
      let full = false
      for (const row of after.iterate(paymentPk, last)) {
        page.push(refundFromRow(row))
        last = row.pk
        chars += row.metadata.length
        full = page.length >= REFUND_PAGE.rows || chars >= REFUND_PAGE.chars
        if (full) break
      }
      yield * page
      if (!full) return
    }
  }
}

/** One refund row (shared with the snapshot store, which imports refunds with their own ids and times). */
export const INSERT_REFUND =
  `INSERT INTO refunds (id, payment_pk, amount, balance, reason, note, receipt, status, metadata, created_us, updated_us)
   VALUES (@id, @payment_pk, @amount, @balance, @reason, @note, @receipt, @status, @metadata, @created_us, @updated_us)`

/**
 * New refund ids for the records `clock` times: random digits under the system clock, the database's counter
 * under a fixed one (the same requests then make the same ids). Call it inside the write transaction.
 */
export function refundIds (db: DB, clock: Clock): (createdUs: number) => string {
  if (clock.mode === 'system') return us => refundId(us)
  const next = db.prepare<[], { id: number }>('UPDATE refund_id_sequence SET last_id = last_id + 1 RETURNING last_id AS id')
  return us => refundId(us, (next.get() as { id: number }).id)
}

function refundFromRow (row: RefundRow): StoredRefund {
  return {
    id: row.id,
    paymentId: row.payment_id,
    amount: row.amount,
    balance: row.balance,
    reason: row.reason,
    note: row.note,
    receipt: row.receipt,
    status: row.status,
    metadata: row.metadata,
    createdUs: row.created_us,
    updatedUs: row.updated_us
  }
}

/** How many ids a refund may draw before an error is not taken for a collision. */
const ID_ATTEMPTS = 5

const isIdTaken = (err: unknown): boolean => {
  const e = err as { code?: unknown, message?: unknown }
  return e.code === 'SQLITE_CONSTRAINT_UNIQUE' && typeof e.message === 'string' && e.message.includes('refunds.id')
}

export type CreateRefundResult =
  | { kind: 'created', refund: StoredRefund }
  | { kind: 'no_payment' }
  /** the amount is above what is left to refund (minor units) */
  | { kind: 'exceeds', remaining: number }

interface Pending {
  partition: Partition
  refund: NewRefund
  resolve: (result: CreateRefundResult) => void
  reject: (err: unknown) => void
}

interface PaymentBalance { pk: number, amount: number, refunded: number, refund_outcome: string }

export function createRefundStore (db: DB, clock: Clock) {
  const paymentBalance = db.prepare<[string, number, number], PaymentBalance>(
    'SELECT pk, amount, refunded, refund_outcome FROM payments WHERE workspace = ? AND test_mode = ? AND id = ?')
  const insert = db.prepare(INSERT_REFUND)
  const newId = refundIds(db, clock)

  function apply (p: Partition, r: NewRefund): CreateRefundResult {
    const payment = paymentBalance.get(p.workspace, p.testMode ? 1 : 0, r.paymentId)
    if (payment === undefined) return { kind: 'no_payment' }
    const remaining = payment.amount - payment.refunded
    if (r.amount > remaining) return { kind: 'exceeds', remaining }
    const status = payment.refund_outcome === 'failed' ? 'failed' : 'succeeded'
    const balance = status === 'succeeded' ? remaining - r.amount : remaining
    let createdUs = clock.stamp()
    let id = newId(createdUs)
    const row = {
      id,
      payment_pk: payment.pk,
      amount: r.amount,
      balance,
      reason: r.reason,
      note: r.note,
      receipt: r.receipt,
      status,
      metadata: r.metadata,
      created_us: createdUs,
      updated_us: createdUs
    }
    // An id already taken (a refund imported with it, or another process's random digits): the next time and id.
    // Nothing is written by a failed INSERT, so it is simply tried again.
    for (let attempt = 1; ; attempt++) {
      try {
        insert.run(row)
        break
      } catch (err) {
        if (attempt === ID_ATTEMPTS || !isIdTaken(err)) throw err
        createdUs = clock.stamp()
        id = newId(createdUs)
        Object.assign(row, { id, created_us: createdUs, updated_us: createdUs })
      }
    }
    return {
      kind: 'created',
      refund: {
        id,
        paymentId: r.paymentId,
        amount: r.amount,
        balance,
        reason: r.reason,
        note: r.note,
        receipt: r.receipt,
        status,
        metadata: r.metadata,
        createdUs,
        updatedUs: createdUs
      }
    }
  }

  const applyBatch = db.transaction((batch: readonly Pending[]): Array<CreateRefundResult | { error: unknown }> =>
    batch.map(item => {
      try {
        return apply(item.partition, item.refund)
      } catch (err) {
        // A failed statement is rolled back on its own (the INSERT and its trigger are one statement); errors
        // that end the whole transaction (disk full, I/O) go up and fail the batch.
        if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true) return { error: err }
        throw err
      }
    }))

  let queue: Pending[] = []
  let scheduled = false

  function flush (): void {
    const batch = queue
    queue = []
    scheduled = false
    let results: Array<CreateRefundResult | { error: unknown }>
    try {
      results = applyBatch.immediate(batch)
    } catch (err) {
      for (const item of batch) item.reject(err)
      return
    }
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i] as Pending
      const result = results[i] as CreateRefundResult | { error: unknown }
      if ('error' in result) item.reject(result.error)
      else item.resolve(result)
    }
  }

  return {
    /** Applies the money rule and stores the refund; resolves once the refund is committed. */
    create (partition: Partition, refund: NewRefund): Promise<CreateRefundResult> {
      return new Promise((resolve, reject) => {
        queue.push({ partition, refund, resolve, reject })
        if (!scheduled) {
          scheduled = true
          setImmediate(flush)
        }
      })
    }
  }
}

export type RefundStore = ReturnType<typeof createRefundStore>
