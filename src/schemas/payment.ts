import { Type } from '@sinclair/typebox'
import { REFUND_OUTCOMES } from '../serializers/payment.js'
import { StringEnum } from './common.js'
import { RefundAnswerSchema } from './refund.js'

export const NewPaymentSchema = Type.Object({
  id: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'assigned from one sequence when left out' })),
  amount: Type.Union([Type.Number(), Type.String()], { description: 'up to 13 digits before the point and 2 after, at least 0.01' }),
  refund_outcome: Type.Optional(StringEnum(REFUND_OUTCOMES, { default: 'succeeded' }))
})

export const PaymentSchema = Type.Object({
  id: Type.Integer(),
  amount: Type.Number(),
  refunded: Type.Number(),
  balance: Type.Number(),
  refund_outcome: StringEnum(REFUND_OUTCOMES),
  workspace: Type.String(),
  test_mode: Type.Boolean(),
  created: Type.String({ format: 'date-time' })
})

export const PaymentWithRefundsSchema = Type.Composite([
  PaymentSchema,
  Type.Object({ refunds: Type.Array(RefundAnswerSchema) })
])

export const ResetSchema = Type.Object({ payments: Type.Integer(), refunds: Type.Integer() })

export const HealthSchema = Type.Object({ status: Type.Literal('ok') })

export const StartingSchema = Type.Object({ status: Type.Literal('starting') })
