import { Type, type Static } from '@sinclair/typebox'
import { REFUND_REASONS } from '../db/refund-store.js'
import { Nullable, StringEnum } from './common.js'

// The published Refund schema (spec/piriod-refunds.openapi.yaml), as it is answered.
export const RefundSchema = Type.Object({
  id: Type.String({ readOnly: true }),
  payment: Type.Integer({ description: 'Payment ID being refunded.' }),
  amount: Type.Number(),
  balance: Type.Number({ readOnly: true, description: 'Remaining refundable balance after this refund.' }),
  reason: StringEnum(REFUND_REASONS),
  note: Nullable(Type.String({ maxLength: 64 })),
  receipt: Type.String({ maxLength: 256 }),
  status: StringEnum(['failed', 'succeeded'] as const, { readOnly: true }),
  metadata: Type.Object({}, { additionalProperties: true }),
  created: Type.String({ format: 'date-time', readOnly: true }),
  updated: Type.String({ format: 'date-time', readOnly: true })
})

export type RefundBody = Static<typeof RefundSchema>
