import { Type, type Static } from '@sinclair/typebox'
import { NOTE_MAX_LENGTH, RECEIPT_MAX_LENGTH, REFUND_REASONS, REFUND_STATUSES } from '../domain.js'
import { Metadata } from './common.js'
import { Nullable, StringEnum } from './kinds.js'

// The published Refund schema (test/spec/piriod-refunds.openapi.yaml): the request body and the 201 answer.
// Fields the spec does not require are Optional here (the request body); answers use RefundAnswerSchema.
export const RefundSchema = Type.Object({
  id: Type.Optional(Type.String({ readOnly: true })),
  payment: Type.Integer({ description: 'Payment ID being refunded.' }),
  amount: Type.Number(),
  balance: Type.Optional(Type.Number({ readOnly: true, description: 'Remaining refundable balance after this refund.' })),
  reason: StringEnum(REFUND_REASONS),
  note: Type.Optional(Nullable(Type.String({ maxLength: NOTE_MAX_LENGTH }))),
  receipt: Type.String({ maxLength: RECEIPT_MAX_LENGTH }),
  status: Type.Optional(StringEnum(REFUND_STATUSES, { readOnly: true })),
  metadata: Type.Optional(Metadata),
  created: Type.Optional(Type.String({ format: 'date-time', readOnly: true })),
  updated: Type.Optional(Type.String({ format: 'date-time', readOnly: true }))
})

/**
 * The 201 answer: every field is always there. Also what keeps the spec's key order — fast-json-stringify writes
 * required properties before optional ones.
 */
export const RefundAnswerSchema = Type.Required(RefundSchema)

/** The Refund object of the API, as POST /refunds/ answers it. */
export type Refund = Static<typeof RefundAnswerSchema>
