import { Type, type Static } from '@sinclair/typebox'
import { AMOUNT, PAYMENT_ID, REFUND_OUTCOMES } from '../domain.js'
import { DrfDecimal, DrfInteger, Nullable, StringEnum } from './kinds.js'
import { RefundAnswerSchema } from './refund.js'

/** POST /__admin/payments. The amount's digits, places and minimum are checked as DRF's DecimalField checks them. */
export const NewPaymentSchema = Type.Object({
  id: Type.Optional(DrfInteger(PAYMENT_ID, { description: 'assigned from one sequence when left out' })),
  amount: DrfDecimal(AMOUNT, { description: 'up to 13 digits before the point and 2 after, at least 0.01' }),
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

/** A page of payments: Piriod's list envelope (DRF's PageNumberPagination). */
export const PaymentPageSchema = Type.Object({
  count: Type.Integer(),
  next: Nullable(Type.String({ format: 'uri' })),
  previous: Nullable(Type.String({ format: 'uri' })),
  results: Type.Array(Type.Composite([PaymentSchema, Type.Object({ refund_count: Type.Integer() })]))
})

export const PageQuery = Type.Object({
  page: Type.Optional(Type.String({ description: 'from 1, or "last"' })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 }))
})

/** A payment as the admin API answers it. */
export type Payment = Static<typeof PaymentSchema>
export type PaymentWithRefunds = Static<typeof PaymentWithRefundsSchema>
/** A payment as the list answers it: with how many refunds it has. */
export type ListedPayment = Static<typeof PaymentPageSchema>['results'][number]

export const ResetSchema = Type.Object({ payments: Type.Integer(), refunds: Type.Integer() })

export const HealthSchema = Type.Object({ status: Type.Literal('ok') })

export const StartingSchema = Type.Object({ status: Type.Literal('starting') })
