// The snapshot document — also the seed file's format:
//   {"payments": [{"workspace", "test_mode"?, "id", "amount", "refund_outcome"?, "created"?, "refunds"?: [Refund…]}]}
// Every entry is checked before anything is written; problems are reported by path (payments[3].refunds[0].amount).
import { formatDateTime } from '../clock.js'
import type { StoredPayment } from '../db/payment-store.js'
import type { DocumentPayment, DocumentRefund, RefundIdTaken } from '../db/snapshot-store.js'
import type { StoredRefund } from '../db/refund-store.js'
import { overRefund, type RefundReason } from '../domain.js'
import { formatMinorUnits, MISSING, unrenderable } from '../drf/fields.js'
import { ApiError, type ValidationErrors } from '../errors.js'
import { inScope, type Scope } from '../partition.js'
import { decode } from '../schemas/kinds.js'
import { SnapshotPaymentSchema, SnapshotRefundSchema, SnapshotSchema } from '../schemas/test-kit.js'
import { Problems, schemaReader } from '../schemas/validate.js'
import { asObject, field, type Body } from '../serializers/common.js'
import { metadataField, refundJson } from '../serializers/refund.js'
import { LazyList, LazyValue, PyFloat, RawJson, type PyValue, type Streamable } from '../python/json.js'

const readShape = schemaReader(SnapshotSchema)
const PAYMENT = SnapshotPaymentSchema.properties
const REFUND = SnapshotRefundSchema.properties

/** A checked refund's fields, decoded from the document; null when the schema or a rule refused it. */
function readRefund (problems: Problems, data: Body, at: string[], remaining: number | null): [DocumentRefund | null, number | null] {
  const read = problems.within([...at, 'metadata']) ? undefined : metadataField(field(data, 'metadata'))
  // what the API would refuse to store or answer cannot be imported either
  if (read !== undefined && !read.ok) problems.add([...at, 'metadata'], read.errors)
  const problem = read?.ok === true && read.value !== null ? unrenderable(read.value.dict) : null
  if (problem !== null) problems.add([...at, 'metadata'], problem)
  if (problems.within(at) || remaining === null || read === undefined || !read.ok) return [null, null]
  const amount = decode(REFUND.amount, field(data, 'amount')) as number
  const given = field(data, 'id')
  const status = decode(REFUND.status, field(data, 'status')) ?? 'succeeded'
  const refund: DocumentRefund = {
    id: typeof given === 'string' ? given : null,
    amount,
    reason: decode(REFUND.reason, field(data, 'reason')) as RefundReason,
    note: decode(REFUND.note, field(data, 'note')),
    receipt: decode(REFUND.receipt, field(data, 'receipt')) as string,
    status,
    metadata: read.value?.json ?? '{}',
    createdUs: decode(REFUND.created, field(data, 'created')),
    updatedUs: decode(REFUND.updated, field(data, 'updated'))
  }
  // the balance rule held when each refund was made, failed ones included
  if (amount > remaining) {
    problems.add([...at, 'amount'], overRefund(remaining))
    return [null, null]
  }
  const after = status === 'succeeded' ? remaining - amount : remaining
  const balance = decode(REFUND.balance, field(data, 'balance'))
  if (balance !== null && balance !== after) problems.add([...at, 'balance'], `Expected ${formatMinorUnits(after)}, what the refunds up to this one leave.`)
  return [refund, after]
}

/** A payment of the document with its refunds, decoded; null when the schema or a rule refused something of it. */
function readPayment (problems: Problems, data: PyValue, at: string[]): DocumentPayment | null {
  if (!(data instanceof Map)) return null
  const amount = problems.has([...at, 'amount']) ? null : decode(PAYMENT.amount, field(data, 'amount'))
  const given = field(data, 'refunds')
  const refunds: DocumentRefund[] = []
  let remaining = amount
  if (Array.isArray(given)) {
    for (const [j, r] of given.entries()) {
      if (!(r instanceof Map)) continue
      const [refund, left] = readRefund(problems, r, [...at, 'refunds', String(j)], remaining)
      remaining = left
      if (refund !== null) refunds.push(refund)
    }
  }
  if (problems.within(at) || amount === null) return null
  return {
    workspace: decode(PAYMENT.workspace, field(data, 'workspace')),
    testMode: field(data, 'test_mode') === true,
    id: decode(PAYMENT.id, field(data, 'id')) as number,
    amount,
    refundOutcome: decode(PAYMENT.refund_outcome, field(data, 'refund_outcome')) ?? 'succeeded',
    createdUs: decode(PAYMENT.created, field(data, 'created')),
    refunds
  }
}

/** A document's payments, and the clock it was taken at (null when it does not say). */
export interface SeedDocument { payments: DocumentPayment[], clockUs: number | null }

export type DocumentResult = ({ ok: true } & SeedDocument) | { ok: false, errors: ValidationErrors }

/**
 * The payments of a document, or every problem found (up to 20), keyed by path: the shape as SnapshotSchema says,
 * then what it cannot say — each payment's balance history, refund ids given twice, metadata the API would refuse.
 */
export function readDocument (data: PyValue): DocumentResult {
  const root = asObject(data)
  if (root instanceof ApiError) return { ok: false, errors: { '(document)': ['Expected an object with a "payments" list.'] } }
  const checked = readShape(root)
  const problems = checked.ok ? new Problems(SnapshotSchema) : checked.problems
  const list = field(root, 'payments')
  if (!Array.isArray(list)) return { ok: false, errors: problems.errors }
  const payments: DocumentPayment[] = []
  const seenPayments = new Map<string, number>()
  const seenRefunds = new Map<string, string>()
  for (const [i, entry] of list.entries()) {
    const at = ['payments', String(i)]
    // the same payment twice, and a refund id given twice, are found whatever else is wrong with the entries
    if (entry instanceof Map) {
      const workspace = field(entry, 'workspace')
      const id = field(entry, 'id')
      if (!problems.has([...at, 'workspace']) && !problems.has([...at, 'id'])) {
        const key = JSON.stringify([workspace, field(entry, 'test_mode') === true, decode(PAYMENT.id, id)])
        const first = seenPayments.get(key)
        if (first !== undefined) problems.add(at, `Duplicates payments[${first}] (same workspace, test_mode and id).`)
        else seenPayments.set(key, i)
      }
      const refunds = field(entry, 'refunds')
      for (const [j, r] of (Array.isArray(refunds) ? refunds : []).entries()) {
        const rid = r instanceof Map ? field(r, 'id') : MISSING
        if (typeof rid !== 'string' || problems.has([...at, 'refunds', String(j), 'id'])) continue
        const other = seenRefunds.get(rid)
        if (other !== undefined) problems.add([...at, 'refunds', String(j), 'id'], `Duplicates ${other}.id.`)
        else seenRefunds.set(rid, `payments[${i}].refunds[${j}]`)
      }
    }
    const p = readPayment(problems, entry, at)
    if (p !== null) payments.push(p)
  }
  if (!checked.ok || problems.count > 0) return { ok: false, errors: problems.errors }
  return { ok: true, payments, clockUs: decode(SnapshotSchema.properties.clock, field(root, 'clock')) }
}

/** The entries of a document that lie outside `scope`, as errors by path; empty when all are inside. */
export function outsideScope (scope: Scope, payments: readonly DocumentPayment[]): ValidationErrors {
  const outside: ValidationErrors = {}
  payments.forEach((p, i) => {
    if (!inScope(scope, p.workspace, p.testMode)) {
      outside[`payments[${i}]`] = ['Outside the scope of this call (its x-simple-workspace / x-piriod-test-mode headers).']
    }
  })
  return outside
}

/** A refund id a document gives that another refund has already, as an error by path. */
export function refundIdTaken (taken: RefundIdTaken): ValidationErrors {
  return { [`payments[${taken.payment}].refunds[${taken.refund}].id`]: [`A refund with id ${taken.id} already exists.`] }
}

/** Money as DRF writes a DecimalField(coerce_to_string=False): a float (`25.0`). */
const money = (minor: number): PyFloat => new PyFloat(minor / 100)

/**
 * The scope's payments with their refunds, in the document's format (GET /__admin/snapshot), made as it is written:
 * payments and refunds are read a page at a time. Under a fixed clock it ends with the clock's time once everything
 * before it is read, from which a restore continues (the system clock moves on by itself, and an export of unchanged
 * data stays the same bytes).
 */
export function snapshotDocument (
  entries: () => Iterable<{ payment: StoredPayment, refunds: Iterable<StoredRefund> }>,
  clockUs: (() => number) | null
): Streamable {
  const payments = new LazyList(function * () {
    for (const { payment: p, refunds } of entries()) {
      yield new Map<string, Streamable>([
        ['workspace', p.workspace],
        ['test_mode', p.testMode],
        ['id', p.id],
        ['amount', money(p.amount)],
        ['refund_outcome', p.refundOutcome],
        ['created', formatDateTime(p.createdUs)],
        // each refund as the API answers it, without `payment` (the entry it sits in)
        ['refunds', new LazyList(function * () { for (const r of refunds) yield new RawJson(refundJson(r, true)) })]
      ])
    }
  })
  const doc = new Map<string, Streamable>([['payments', payments]])
  if (clockUs !== null) doc.set('clock', new LazyValue(() => formatDateTime(clockUs())))
  return doc
}
