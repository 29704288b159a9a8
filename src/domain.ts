// Piriod's refund rules as constants, in one place: the field limits and choices of the published Refund schema,
// the money rule's message, and the payment fields the emulator adds. The schemas (OpenAPI), the serializers
// (validation), the stores and the OPTIONS metadata all read them from here.
import type { CharOptions, DecimalOptions, IntegerOptions } from './drf/fields.js'
import { formatMinorUnits } from './drf/fields.js'

export type RefundReason = 'duplicate' | 'fraudulent' | 'requested_by_customer'
export const REFUND_REASONS: readonly RefundReason[] = ['duplicate', 'fraudulent', 'requested_by_customer']

/** A refund's status, in the published schema's order. */
export type RefundStatus = 'failed' | 'succeeded'
export const REFUND_STATUSES: readonly RefundStatus[] = ['failed', 'succeeded']

/** What every refund of a payment comes back as (an emulator setting of each payment). */
export type RefundOutcome = 'succeeded' | 'failed'
export const REFUND_OUTCOMES: readonly RefundOutcome[] = ['succeeded', 'failed']

export const RECEIPT_MAX_LENGTH = 256
export const NOTE_MAX_LENGTH = 64

/** `receipt`: CharField(max_length=256), required, not blank. */
export const RECEIPT: CharOptions = { maxLength: RECEIPT_MAX_LENGTH, required: true, allowNull: false, allowBlank: false }
/** `note`: CharField(max_length=64, null=True, blank=True). */
export const NOTE = { maxLength: NOTE_MAX_LENGTH, required: false, allowNull: true, allowBlank: true } as const satisfies CharOptions

/**
 * `metadata`: a dict of anything, at most this many bytes once written as JSON. Piriod's docs name no limit; the
 * emulator sets one so that no refund is larger than a quarter MiB (a deliberate difference: docs/fidelity.md).
 */
export const METADATA_MAX_BYTES = 256 * 1024
export const metadataTooLarge = `Ensure this field has no more than ${METADATA_MAX_BYTES} bytes when written as JSON (a piriod-mock limit).`

/** Money: DecimalField(max_digits=15, decimal_places=2, min_value=0.01), kept as integer minor units. */
export const AMOUNT: DecimalOptions = { maxDigits: 15, decimalPlaces: 2, minCents: 1, required: true }
/** The smallest amount, as DRF prints the limit in OPTIONS (`min_value`). */
export const MIN_AMOUNT = 0.01

/** Payment ids: positive, and exact in JavaScript (the database CHECK says the same). */
export const PAYMENT_ID: Omit<IntegerOptions, 'required'> = { min: 1, max: Number.MAX_SAFE_INTEGER }

/** The 400 for a refund above what is left (the published contract leaves the text open; DRF's max_value wording). */
export const overRefund = (remainingMinor: number): string =>
  `Ensure this value is less than or equal to the payment's remaining refundable balance of ${formatMinorUnits(remainingMinor)}.`
