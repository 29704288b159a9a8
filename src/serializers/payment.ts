// The admin API's payment serializer: POST /__admin/payments reads id, amount and refund_outcome; a stored
// payment is answered with its amounts in major units.
import { formatDateTime } from '../clock.js'
import type { ListedPayment, NewPayment, StoredPayment } from '../db/payment-store.js'
import type { StoredRefund } from '../db/refund-store.js'
import { NewPaymentSchema } from '../schemas/payment.js'
import { decode } from '../schemas/kinds.js'
import { schemaReader } from '../schemas/validate.js'
import { invalid, type ApiError } from '../errors.js'
import { LazyList, loads, RawJson, type Streamable } from '../python/json.js'
import { field, type Body } from './common.js'
import { moneyJson, refundJson } from './refund.js'

const readShape = schemaReader(NewPaymentSchema)

/** POST /__admin/payments' body, as NewPaymentSchema says (its fields read as DRF reads them). */
export function readPayment (body: Body): NewPayment | ApiError {
  const checked = readShape(body)
  if (!checked.ok) return invalid(checked.problems.errors)
  const { id, amount, refund_outcome: outcome } = NewPaymentSchema.properties
  return {
    id: decode(id, field(body, 'id')),
    amount: decode(amount, field(body, 'amount')) as number,
    refundOutcome: decode(outcome, field(body, 'refund_outcome')) ?? 'succeeded'
  }
}

/** A payment in GET /__admin/payments: with how many refunds it has. */
export function listedPaymentJson (p: ListedPayment): string {
  return `${paymentJson(p).slice(0, -1)},"refund_count":${p.refundCount}}`
}

/** A payment as the admin API answers it, money written as DRF writes it (`100.0`). */
export function paymentJson (p: StoredPayment): string {
  return `{"id":${p.id},"amount":${moneyJson(p.amount)},"refunded":${moneyJson(p.refunded)},` +
    `"balance":${moneyJson(p.amount - p.refunded)},"refund_outcome":"${p.refundOutcome}","workspace":${JSON.stringify(p.workspace)},` +
    `"test_mode":${String(p.testMode)},"created":"${formatDateTime(p.createdUs)}"}`
}

/**
 * A payment with its refunds (GET /__admin/payments/{id}), each exactly as POST /refunds/ answered it, read a page
 * at a time as the answer is written: a payment with any number of refunds is never held whole.
 */
export function paymentDocument (p: StoredPayment, refunds: () => Iterable<StoredRefund>): Streamable {
  const doc = loads(paymentJson(p)) as Map<string, Streamable>
  doc.set('refunds', new LazyList(function * () { for (const r of refunds()) yield new RawJson(refundJson(r)) }))
  return doc
}
