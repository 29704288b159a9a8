// The admin API's payment serializer: POST /__admin/payments reads id, amount and refund_outcome; a stored
// payment is answered with its amounts in major units.
import { formatDateTime } from '../clock.js'
import type { NewPayment, StoredPayment } from '../db/payment-store.js'
import type { StoredRefund } from '../db/refund-store.js'
import { AMOUNT, PAYMENT_ID, REFUND_OUTCOMES } from '../domain.js'
import { choiceField, decimalField, integerField } from '../drf/fields.js'
import { invalid, type ApiError } from '../errors.js'
import type { Payment, PaymentWithRefunds } from '../schemas/payment.js'
import { FieldErrors, field, type Body } from './common.js'
import { refundBody, toMajorUnits } from './refund.js'

/** Reads the payment fields of `body`; `idRequired` for the seed file, whose fixtures need stable ids. */
export function readPayment (body: Body, idRequired = false): NewPayment | ApiError {
  const fields = new FieldErrors()
  const id = fields.take('id', integerField(field(body, 'id'), { ...PAYMENT_ID, required: idRequired }))
  const amount = fields.take('amount', decimalField(field(body, 'amount'), AMOUNT))
  const outcome = fields.take('refund_outcome', choiceField(field(body, 'refund_outcome'), REFUND_OUTCOMES, false))
  if (fields.failed) return invalid(fields.errors)
  return { id: id ?? null, amount: amount as number, refundOutcome: outcome ?? 'succeeded' }
}

/** A payment as the admin API answers it. */
export function paymentBody (p: StoredPayment): Payment {
  return {
    id: p.id,
    amount: toMajorUnits(p.amount),
    refunded: toMajorUnits(p.refunded),
    balance: toMajorUnits(p.amount - p.refunded),
    refund_outcome: p.refundOutcome,
    workspace: p.workspace,
    test_mode: p.testMode,
    created: formatDateTime(p.createdUs)
  }
}

/** A payment with its refunds, each exactly as POST /refunds/ answered it. */
export function paymentWithRefundsBody (p: StoredPayment, refunds: readonly StoredRefund[]): PaymentWithRefunds {
  return { ...paymentBody(p), refunds: refunds.map(refundBody) }
}
