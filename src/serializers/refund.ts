// The refund serializer (POST /refunds/): fields in the spec's order, every invalid field reported at once.
import { charField, choiceField, decimalField, dictField, MSG, primaryKeyField, type FieldResult } from '../drf/fields.js'
import type { ValidationErrors } from '../errors.js'
import { REFUND_REASONS, type NewRefund, type RefundReason } from '../db/refund-store.js'
import { AMOUNT, field, type Body } from './common.js'

export type RefundInput =
  | { ok: true, refund: NewRefund }
  /**
   * `lookup`: the payment field is well formed but other fields failed; DRF still reports a payment that does
   * not exist, so the caller looks it up and adds `payment: [MSG.pkDoesNotExist(input)]` in front.
   */
  | { ok: false, errors: ValidationErrors, lookup?: { id: number, input: unknown } }

export function readRefund (body: Body): RefundInput {
  const errors: ValidationErrors = {}
  let failed = false
  const take = <T>(name: string, result: FieldResult<T>): T | undefined => {
    if (result.ok) return result.value
    errors[name] = result.errors
    failed = true
    return undefined
  }
  const payment = primaryKeyField(field(body, 'payment'))
  let lookup: { id: number, input: unknown } | undefined
  if (!payment.ok) take('payment', payment)
  else if (payment.id === null) take('payment', { ok: false, errors: [MSG.pkDoesNotExist(payment.input)] })
  else lookup = { id: payment.id, input: payment.input }
  const amount = take('amount', decimalField(field(body, 'amount'), AMOUNT))
  const reason = take('reason', choiceField<RefundReason>(field(body, 'reason'), REFUND_REASONS, true))
  const note = take('note', charField(field(body, 'note'), { maxLength: 64, required: false, allowNull: true, allowBlank: true }))
  const receipt = take('receipt', charField(field(body, 'receipt'), { maxLength: 256, required: true, allowNull: false, allowBlank: false }))
  const metadata = take('metadata', dictField(field(body, 'metadata'), false))
  if (failed || lookup === undefined) return lookup === undefined ? { ok: false, errors } : { ok: false, errors, lookup }
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
