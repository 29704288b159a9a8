import { Type } from '@sinclair/typebox'
import { REFUND_OUTCOMES } from '../serializers/payment.js'
import { StringEnum } from './common.js'
import { RefundSchema } from './refund.js'

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
  Type.Object({ refunds: Type.Array(RefundSchema) })
])

export const ResetSchema = Type.Object({ payments: Type.Integer(), refunds: Type.Integer() })

export const HealthSchema = Type.Object({ status: Type.Literal('ok') })
