// The refund serializer (POST /refunds/): fields in the spec's order, every invalid field reported at once, then
// the partition's payment and the balance rule, as DRF's ModelSerializer would run validate() and create().
import { formatDateTime } from '../clock.js'
import { dumps, pyFloatRepr, type PyDict, type PyValue } from '../python/json.js'
import type { PaymentStore } from '../db/payment-store.js'
import type { NewRefund, RefundStore, StoredRefund } from '../db/refund-store.js'
import { AMOUNT, METADATA_MAX_BYTES, metadataTooLarge, NOTE, overRefund, RECEIPT, REFUND_REASONS, type RefundReason } from '../domain.js'
import { charField, choiceField, decimalField, dictField, MSG, primaryKeyField, unrenderable, type FieldResult, type Input } from '../drf/fields.js'
import { invalid, type ApiError, type ValidationErrors } from '../errors.js'
import type { Partition } from '../partition.js'
import { FieldErrors, field, type Body } from './common.js'

/**
 * Money as DRF writes a DecimalField(coerce_to_string=False): float(Decimal) through Python's json, so 25 is
 * `25.0`, 12.50 is `12.5` and 0.01 is `0.01` (minor / 100 is the same double as float(Decimal('x.yz'))).
 */
export const moneyJson = (minor: number): string => pyFloatRepr(minor / 100)

/** `metadata`: a dict (DictField), at most METADATA_MAX_BYTES as the JSON text stored; with that text. */
export function metadataField (data: Input): FieldResult<{ dict: PyDict, json: string } | null> {
  const dict = dictField(data, false)
  if (!dict.ok || dict.value === null) return dict as FieldResult<null>
  const json = dumps(dict.value)
  if (json.length > METADATA_MAX_BYTES / 3 && Buffer.byteLength(json) > METADATA_MAX_BYTES) return { ok: false, errors: [metadataTooLarge] }
  return { ok: true, value: { dict: dict.value, json } }
}

type RefundInput =
  | { ok: true, refund: NewRefund, metadata: PyDict, paymentInput: PyValue }
  /**
   * `lookup`: the payment field is well formed but other fields failed; DRF still reports a payment that does
   * not exist, so the caller looks it up and adds `payment: [MSG.pkDoesNotExist(input)]` in front.
   */
  | { ok: false, errors: ValidationErrors, lookup?: { id: number, input: PyValue } }

function readRefund (body: Body): RefundInput {
  const fields = new FieldErrors()
  const payment = primaryKeyField(field(body, 'payment'))
  let lookup: { id: number, input: PyValue } | undefined
  if (!payment.ok) fields.take('payment', payment)
  else if (payment.id === null) fields.take('payment', { ok: false, errors: [MSG.pkDoesNotExist(payment.input)] })
  else lookup = { id: payment.id, input: payment.input }
  const amount = fields.take('amount', decimalField(field(body, 'amount'), AMOUNT))
  const reason = fields.take('reason', choiceField<RefundReason>(field(body, 'reason'), REFUND_REASONS, true))
  const note = fields.take('note', charField(field(body, 'note'), NOTE))
  const receipt = fields.take('receipt', charField(field(body, 'receipt'), RECEIPT))
  const metadata = fields.take('metadata', metadataField(field(body, 'metadata')))
  if (fields.failed || lookup === undefined) {
    return lookup === undefined ? { ok: false, errors: fields.errors } : { ok: false, errors: fields.errors, lookup }
  }
  return {
    ok: true,
    metadata: metadata?.dict ?? new Map<string, PyValue>(),
    paymentInput: lookup.input,
    refund: {
      paymentId: lookup.id,
      amount: amount as number,
      reason: reason as RefundReason,
      note: note ?? null,
      receipt: receipt as string,
      metadata: metadata?.json ?? '{}'
    }
  }
}

export interface RefundStores {
  payments: PaymentStore
  refunds: RefundStore
}

/** Validates a refund body, then stores the refund under the balance rule: the stored refund, or the 400. */
export async function createRefund (stores: RefundStores, partition: Partition, body: Body): Promise<StoredRefund | ApiError> {
  const input = readRefund(body)
  if (!input.ok) {
    const { lookup } = input
    if (lookup !== undefined && stores.payments.find(partition, lookup.id) === undefined) {
      return invalid({ payment: [MSG.pkDoesNotExist(lookup.input)], ...input.errors })
    }
    return invalid(input.errors)
  }
  const crash = unrenderable(input.metadata)
  if (crash !== null) return wouldCrash(stores, partition, input, crash)
  const result = await stores.refunds.create(partition, input.refund)
  if (result.kind === 'no_payment') return invalid({ payment: [MSG.pkDoesNotExist(input.paymentInput)] })
  if (result.kind === 'exceeds') return invalid({ amount: [overRefund(result.remaining)] })
  return result.refund
}

/**
 * A valid refund whose metadata DRF would store and then fail to answer (or fail to store): DRF answers the
 * payment's and the balance rule's 400s first; only a refund it would have made crashes, and that is a 400 here,
 * with nothing stored.
 */
function wouldCrash (stores: RefundStores, partition: Partition, input: { refund: NewRefund, paymentInput: PyValue }, problem: string): ApiError {
  const { refund } = input
  const payment = stores.payments.find(partition, refund.paymentId)
  if (payment === undefined) return invalid({ payment: [MSG.pkDoesNotExist(input.paymentInput)] })
  const remaining = payment.amount - payment.refunded
  if (refund.amount > remaining) return invalid({ amount: [overRefund(remaining)] })
  return invalid({ metadata: [problem] })
}

/**
 * The Refund object of the API as DRF renders it: the spec's key order, money as floats, the metadata exactly as
 * the client sent it (key order, numbers). `inPayment`: as a snapshot lists it, without `payment`.
 */
export function refundJson (r: StoredRefund, inPayment = false): string {
  const created = formatDateTime(r.createdUs)
  const updated = r.updatedUs === r.createdUs ? created : formatDateTime(r.updatedUs)
  return `{"id":${JSON.stringify(r.id)},${inPayment ? '' : `"payment":${r.paymentId},`}"amount":${moneyJson(r.amount)},` +
    `"balance":${moneyJson(r.balance)},"reason":"${r.reason}","note":${r.note === null ? 'null' : JSON.stringify(r.note)},` +
    `"receipt":${JSON.stringify(r.receipt)},"status":"${r.status}","metadata":${r.metadata},"created":"${created}","updated":"${updated}"}`
}
