// The admin API for tests (/__admin): health, payments, reset. No token; the payment routes are partitioned.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { parseJsonBody } from '../drf/parse.js'
import { pyIntFromString, pyStrip } from '../drf/python.js'
import { apiView } from '../drf/view.js'
import { ApiError, DETAIL, detail } from '../errors.js'
import type { PaymentRow } from '../db/payment-store.js'
import { formatDateTime } from '../clock.js'
import { toMajorUnits } from '../db/refund-store.js'
import { HealthSchema, PaymentSchema, PaymentWithRefundsSchema, ResetSchema } from '../schemas/payment.js'
import { asObject } from '../serializers/common.js'
import { readPayment } from '../serializers/payment.js'
import type { Partition } from '../partition.js'

export function paymentBody (row: PaymentRow) {
  return {
    id: row.id,
    amount: toMajorUnits(row.amount),
    refunded: toMajorUnits(row.refunded),
    balance: toMajorUnits(row.amount - row.refunded),
    refund_outcome: row.refund_outcome,
    workspace: row.workspace,
    test_mode: row.test_mode === 1,
    created: formatDateTime(row.created_us)
  }
}

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.route({
    method: app.supportedMethods,
    url: '/health',
    exposeHeadRoute: false,
    onRequest: apiView({ methods: ['GET', 'HEAD'], partition: false }),
    schema: { response: { 200: HealthSchema } },
    handler: async () => ({ status: 'ok' as const })
  })

  app.route({
    method: app.supportedMethods,
    url: '/payments',
    exposeHeadRoute: false,
    onRequest: apiView({ methods: ['POST'], partition: true }),
    schema: { response: { 201: PaymentSchema } },
    handler: async (request, reply) => {
      const parsed = parseJsonBody(request.body as Buffer | undefined, request.contentTypeHeader)
      if (!parsed.ok) throw detail(parsed.status, parsed.detail)
      const body = asObject(parsed.data)
      if (body instanceof ApiError) throw body
      const payment = readPayment(body)
      if (payment instanceof ApiError) throw payment
      const row = app.payments.create(request.partition as Partition, payment)
      reply.code(201)
      return paymentBody(row)
    }
  })

  app.route({
    method: app.supportedMethods,
    url: '/payments/:id',
    exposeHeadRoute: false,
    onRequest: apiView({ methods: ['GET', 'HEAD'], partition: true }),
    // no params schema: the id is read like DRF reads it, and a validation schema would make Fastify build Ajv
    // at start-up (about a fifth of the cold start)
    schema: { response: { 200: PaymentWithRefundsSchema } },
    handler: async (request) => {
      const id = pyIntFromString((request.params as { id: string }).id)
      const row = id === null ? undefined : app.payments.find(request.partition as Partition, id)
      if (row === undefined) throw detail(404, DETAIL.notFound)
      return { ...paymentBody(row), refunds: app.payments.refunds(row) }
    }
  })

  app.route({
    method: app.supportedMethods,
    url: '/reset',
    exposeHeadRoute: false,
    onRequest: apiView({ methods: ['POST'], partition: false }),
    schema: { response: { 200: ResetSchema } },
    handler: async (request) => {
      const raw = request.headers['x-simple-workspace']
      const workspace = typeof raw === 'string' && pyStrip(raw) !== '' ? pyStrip(raw) : null
      return app.payments.reset(workspace)
    }
  })
}

export default adminRoutes
