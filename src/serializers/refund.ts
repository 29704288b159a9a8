// The refund serializer (POST /refunds/): fields in the spec's order, every invalid field reported at once, then
// the partition's payment and the balance rule, as DRF's ModelSerializer would run validate() and create().
import { formatDateTime } from '../clock.js'
import type { PaymentStore } from '../db/payment-store.js'
import type { NewRefund, RefundStore, StoredRefund } from '../db/refund-store.js'
import { AMOUNT, NOTE, overRefund, RECEIPT, REFUND_REASONS, type RefundReason } from '../domain.js'
import { charField, choiceField, decimalField, dictField, MSG, primaryKeyField } from '../drf/fields.js'
import { invalid, type ApiError, type ValidationErrors } from '../errors.js'
import type { Partition } from '../partition.js'
import type { Refund } from '../schemas/refund.js'
import { FieldErrors, field, type Body } from './common.js'

export const toMajorUnits = (minor: number): number => minor / 100

type RefundInput =
  | { ok: true, refund: NewRefund }
  /**
   * `lookup`: the payment field is well formed but other fields failed; DRF still reports a payment that does
   * not exist, so the caller looks it up and adds `payment: [MSG.pkDoesNotExist(input)]` in front.
   */
  | { ok: false, errors: ValidationErrors, lookup?: { id: number, input: unknown } }

function readRefund (body: Body): RefundInput {
  const fields = new FieldErrors()
  const payment = primaryKeyField(field(body, 'payment'))
  let lookup: { id: number, input: unknown } | undefined
  if (!payment.ok) fields.take('payment', payment)
  else if (payment.id === null) fields.take('payment', { ok: false, errors: [MSG.pkDoesNotExist(payment.input)] })
  else lookup = { id: payment.id, input: payment.input }
  const amount = fields.take('amount', decimalField(field(body, 'amount'), AMOUNT))
  const reason = fields.take('reason', choiceField<RefundReason>(field(body, 'reason'), REFUND_REASONS, true))
  const note = fields.take('note', charField(field(body, 'note'), NOTE))
  const receipt = fields.take('receipt', charField(field(body, 'receipt'), RECEIPT))
  const metadata = fields.take('metadata', dictField(field(body, 'metadata'), false))
  if (fields.failed || lookup === undefined) {
    return lookup === undefined ? { ok: false, errors: fields.errors } : { ok: false, errors: fields.errors, lookup }
  }
  return {
    ok: true,
    refund: {
      paymentId: lookup.id,
      amount: amount as number,
      reason: reason as RefundReason,
      note: note ?? null,
      receipt: receipt as string,
      metadata: metadata ?? {}
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
  const result = await stores.refunds.create(partition, input.refund)
  if (result.kind === 'no_payment') return invalid({ payment: [MSG.pkDoesNotExist(body.payment)] })
  if (result.kind === 'exceeds') return invalid({ amount: [overRefund(result.remaining)] })
  return result.refund
}

/** The Refund object of the API, in the spec's key order. */
export function refundBody (r: StoredRefund): Refund {
  const created = formatDateTime(r.createdUs)
  return {
    id: r.id,
    payment: r.paymentId,
    amount: toMajorUnits(r.amount),
    balance: toMajorUnits(r.balance),
    reason: r.reason,
    note: r.note,
    receipt: r.receipt,
    status: r.status,
    metadata: r.metadata,
    created,
    updated: r.updatedUs === r.createdUs ? created : formatDateTime(r.updatedUs)
  }
}
