// The snapshot document — also the seed file's format:
//   {"payments": [{"workspace", "test_mode"?, "id", "amount", "refund_outcome"?, "created"?, "refunds"?: [Refund…]}]}
// Every entry is checked before anything is written; problems are reported by path (payments[3].refunds[0].amount).
import { formatDateTime, parseInstant } from '../clock.js'
import type { StoredPayment } from '../db/payment-store.js'
import type { DocumentPayment, DocumentRefund, RefundIdTaken } from '../db/snapshot-store.js'
import type { StoredRefund } from '../db/refund-store.js'
import { AMOUNT, NOTE, overRefund, PAYMENT_ID, RECEIPT, REFUND_OUTCOMES, REFUND_REASONS, REFUND_STATUSES, type RefundReason } from '../domain.js'
import { MISSING, charField, choiceField, decimalField, formatMinorUnits, integerField, unrenderable } from '../drf/fields.js'
import { pyStrip } from '../python/python.js'
import { ApiError, type ValidationErrors } from '../errors.js'
import { inScope, sendableWorkspace, WORKSPACE_UNSENDABLE, type Scope } from '../partition.js'
import { FieldErrors, asObject, field, type Body } from '../serializers/common.js'
import { metadataField, refundJson } from '../serializers/refund.js'
import { LazyList, LazyValue, PyFloat, RawJson, type PyValue, type Streamable } from '../python/json.js'

const MAX_PROBLEMS = 20
const ENTRY_KEYS = new Set(['workspace', 'test_mode', 'id', 'amount', 'refund_outcome', 'created', 'refunds'])
const REFUND_KEYS = new Set(['id', 'amount', 'balance', 'reason', 'note', 'receipt', 'status', 'metadata', 'created', 'updated'])
const REFUND_ID = /^[\x21-\x7e]{1,64}$/
/** DRF's datetime text (UTC, `Z`, up to six fraction digits) as microseconds, or null. */
function parseDateTime (text: PyValue): number | null {
  return typeof text === 'string' && text.endsWith('Z') ? parseInstant(text) : null
}

// Problems are keyed by their path in the document (payments[3].refunds[0].amount), each one message
class Collector extends FieldErrors {
  private count = 0

  add (path: string, message: string): void {
    this.record(path, [message])
  }

  protected override record (path: string, messages: string[]): void {
    if (this.count++ < MAX_PROBLEMS) this.errors[path] = [messages.join(' ')]
  }

  unknownKeys (body: Body, allowed: Set<string>, at: string): void {
    for (const key of body.keys()) if (!allowed.has(key)) this.add(`${at}.${key}`, 'Unknown field.')
  }

  time (body: Body, key: string, at: string): number | null {
    const value = field(body, key)
    if (value === MISSING) return null
    const us = parseDateTime(value)
    if (us === null) this.add(`${at}.${key}`, 'Datetime has wrong format. Use YYYY-MM-DDThh:mm:ss[.uuuuuu]Z.')
    return us
  }
}

function readRefund (c: Collector, data: PyValue, at: string, remaining: number): [DocumentRefund | null, number] {
  const body = asObject(data)
  if (body instanceof ApiError) {
    c.add(at, 'Expected an object.')
    return [null, remaining]
  }
  c.unknownKeys(body, REFUND_KEYS, at)
  const idValue = field(body, 'id')
  let id: string | null = null
  if (idValue !== MISSING) {
    if (typeof idValue === 'string' && REFUND_ID.test(idValue)) id = idValue
    else c.add(`${at}.id`, 'Enter 1 to 64 printable characters without spaces.')
  }
  const amount = c.take(`${at}.amount`, decimalField(field(body, 'amount'), AMOUNT))
  const reason = c.take(`${at}.reason`, choiceField<RefundReason>(field(body, 'reason'), REFUND_REASONS, true))
  const note = c.take(`${at}.note`, charField(field(body, 'note'), NOTE))
  const receipt = c.take(`${at}.receipt`, charField(field(body, 'receipt'), RECEIPT))
  const status = c.take(`${at}.status`, choiceField(field(body, 'status'), REFUND_STATUSES, false))
  const read = c.take(`${at}.metadata`, metadataField(field(body, 'metadata')))
  // what the API would refuse to store or answer cannot be imported either
  const problem = read?.dict === undefined ? null : unrenderable(read.dict)
  if (problem !== null) c.add(`${at}.metadata`, problem)
  const metadata = problem === null ? read : undefined
  const createdUs = c.time(body, 'created', at)
  const updatedUs = c.time(body, 'updated', at)
  if (amount === undefined || reason === undefined || receipt === undefined || status === undefined || metadata === undefined || note === undefined) {
    return [null, remaining]
  }
  const refund: DocumentRefund = {
    id,
    amount: amount as number,
    reason: reason as RefundReason,
    note,
    receipt: receipt as string,
    status: status ?? 'succeeded',
    metadata: metadata?.json ?? '{}',
    createdUs,
    updatedUs
  }
  // the balance rule held when each refund was made, failed ones included
  if (refund.amount > remaining) {
    c.add(`${at}.amount`, overRefund(remaining))
    return [null, remaining]
  }
  const after = refund.status === 'succeeded' ? remaining - refund.amount : remaining
  const balance = field(body, 'balance')
  if (balance !== MISSING) {
    const given = decimalField(balance, { ...AMOUNT, minCents: 0 })
    if (!given.ok || given.value !== after) c.add(`${at}.balance`, `Expected ${formatMinorUnits(after)}, what the refunds up to this one leave.`)
  }
  return [refund, after]
}

function readPayment (c: Collector, data: PyValue, at: string): DocumentPayment | null {
  const body = asObject(data)
  if (body instanceof ApiError) {
    c.add(at, 'Expected an object.')
    return null
  }
  c.unknownKeys(body, ENTRY_KEYS, at)
  const workspace = field(body, 'workspace')
  if (typeof workspace !== 'string' || pyStrip(workspace) === '') c.add(`${at}.workspace`, 'A non-blank string is required.')
  else if (!sendableWorkspace(workspace)) c.add(`${at}.workspace`, WORKSPACE_UNSENDABLE)
  const testMode = field(body, 'test_mode')
  if (testMode !== MISSING && typeof testMode !== 'boolean') c.add(`${at}.test_mode`, 'Must be true or false.')
  const id = c.take(`${at}.id`, integerField(field(body, 'id'), { ...PAYMENT_ID, required: true }))
  const amount = c.take(`${at}.amount`, decimalField(field(body, 'amount'), AMOUNT))
  const outcome = c.take(`${at}.refund_outcome`, choiceField(field(body, 'refund_outcome'), REFUND_OUTCOMES, false))
  const createdUs = c.time(body, 'created', at)
  const refundsValue = field(body, 'refunds')
  const refunds: DocumentRefund[] = []
  if (refundsValue !== MISSING && !Array.isArray(refundsValue)) c.add(`${at}.refunds`, 'Expected a list.')
  else if (Array.isArray(refundsValue) && amount !== undefined) {
    let remaining = amount as number
    for (const [j, r] of refundsValue.entries()) {
      const [refund, left] = readRefund(c, r, `${at}.refunds[${j}]`, remaining)
      remaining = left
      if (refund !== null) refunds.push(refund)
    }
  }
  if (typeof workspace !== 'string' || !sendableWorkspace(workspace) || id === undefined || amount === undefined || outcome === undefined) return null
  return {
    workspace,
    testMode: testMode === true,
    id: id as number,
    amount: amount as number,
    refundOutcome: outcome ?? 'succeeded',
    createdUs,
    refunds
  }
}

/** A document's payments, and the clock it was taken at (null when it does not say). */
export interface SeedDocument { payments: DocumentPayment[], clockUs: number | null }

export type DocumentResult = ({ ok: true } & SeedDocument) | { ok: false, errors: ValidationErrors }

/** The payments of a document, or every problem found (up to 20), keyed by path. */
export function readDocument (data: PyValue): DocumentResult {
  const c = new Collector()
  const root = asObject(data)
  if (root instanceof ApiError) return { ok: false, errors: { '(document)': ['Expected an object with a "payments" list.'] } }
  c.unknownKeys(root, new Set(['payments', 'clock']), '(document)')
  const clockUs = c.time(root, 'clock', '(document)')
  const list = field(root, 'payments')
  if (!Array.isArray(list)) return { ok: false, errors: { payments: [list === MISSING ? 'This field is required.' : 'Expected a list.'] } }
  const payments: DocumentPayment[] = []
  const seenPayments = new Map<string, number>()
  const seenRefunds = new Map<string, string>()
  for (const [i, entry] of list.entries()) {
    const at = `payments[${i}]`
    const p = readPayment(c, entry, at)
    if (p === null) continue
    const key = JSON.stringify([p.workspace, p.testMode, p.id])
    const first = seenPayments.get(key)
    if (first !== undefined) c.add(at, `Duplicates payments[${first}] (same workspace, test_mode and id).`)
    seenPayments.set(key, i)
    for (const [j, r] of p.refunds.entries()) {
      if (r.id === null) continue
      const other = seenRefunds.get(r.id)
      if (other !== undefined) c.add(`${at}.refunds[${j}].id`, `Duplicates ${other}.id.`)
      else seenRefunds.set(r.id, `${at}.refunds[${j}]`)
    }
    payments.push(p)
  }
  return c.failed ? { ok: false, errors: c.errors } : { ok: true, payments, clockUs }
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
