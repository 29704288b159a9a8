// The admin API's payment serializer (POST /__admin/payments): id, amount, refund_outcome.
import { choiceField, decimalField, integerField, type FieldResult } from '../drf/fields.js'
import { invalid, type ApiError, type ValidationErrors } from '../errors.js'
import type { NewPayment, RefundOutcome } from '../db/payment-store.js'
import { AMOUNT, field, type Body } from './common.js'

export const REFUND_OUTCOMES: readonly RefundOutcome[] = ['succeeded', 'failed']
export const MAX_PAYMENT_ID = Number.MAX_SAFE_INTEGER

export const PAYMENT_ID = { min: 1, max: MAX_PAYMENT_ID } as const

/** Reads the payment fields of `body`; `idRequired` for the seed file, whose fixtures need stable ids. */
export function readPayment (body: Body, idRequired = false): NewPayment | ApiError {
  const errors: ValidationErrors = {}
  const take = <T>(name: string, result: FieldResult<T>): T | undefined => {
    if (result.ok) return result.value
    errors[name] = result.errors
    return undefined
  }
  const id = take('id', integerField(field(body, 'id'), { ...PAYMENT_ID, required: idRequired }))
  const amount = take('amount', decimalField(field(body, 'amount'), AMOUNT))
  const outcome = take('refund_outcome', choiceField(field(body, 'refund_outcome'), REFUND_OUTCOMES, false))
  if (Object.keys(errors).length > 0) return invalid(errors)
  return { id: id ?? null, amount: amount as number, refundOutcome: outcome ?? 'succeeded' }
}
