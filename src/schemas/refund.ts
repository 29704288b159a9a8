import { Type, type Static } from '@sinclair/typebox'
import { REFUND_REASONS } from '../db/refund-store.js'
import { Nullable, StringEnum } from './common.js'

// The published Refund schema (test/spec/piriod-refunds.openapi.yaml): the request body and the 201 answer.
// Fields the spec does not require are Optional here (the request body); answers use RefundAnswerSchema.
export const RefundSchema = Type.Object({
  id: Type.Optional(Type.String({ readOnly: true })),
  payment: Type.Integer({ description: 'Payment ID being refunded.' }),
  amount: Type.Number(),
  balance: Type.Optional(Type.Number({ readOnly: true, description: 'Remaining refundable balance after this refund.' })),
  reason: StringEnum(REFUND_REASONS),
  note: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  receipt: Type.String({ maxLength: 256 }),
  status: Type.Optional(StringEnum(['failed', 'succeeded'] as const, { readOnly: true })),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
  created: Type.Optional(Type.String({ format: 'date-time', readOnly: true })),
  updated: Type.Optional(Type.String({ format: 'date-time', readOnly: true }))
})

/**
 * The 201 answer: every field is always there. Also what keeps the spec's key order — fast-json-stringify writes
 * required properties before optional ones.
 */
export const RefundAnswerSchema = Type.Required(RefundSchema)

export type RefundBody = Static<typeof RefundAnswerSchema>
