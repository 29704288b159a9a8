// The admin API for tests (/__admin): health and readiness, payments, reset. Payment routes are partitioned;
// when ADMIN_TOKEN is set every call but health and ready needs it.
import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { adminGuard, type AdminGuardOptions } from '../admin-guard.js'
import { pyIntFromString } from '../python/python.js'
import { endpoint, view, type TokenCheck } from '../drf/view.js'
import { ApiError, DETAIL, detail } from '../errors.js'
import { Detail, PartitionHeaders, ScopeHeaders, ValidationError } from '../schemas/common.js'
import { HealthSchema, NewPaymentSchema, PageQuery, PaymentPageSchema, PaymentSchema, PaymentWithRefundsSchema, ResetSchema, StartingSchema } from '../schemas/payment.js'
import { readBody } from '../serializers/common.js'
import { listedPaymentJson, paymentDocument, paymentJson, readPayment } from '../serializers/payment.js'
import { pageJson, readPage } from '../drf/pagination.js'

interface AdminOptions {
  /** ADMIN_TOKEN's check, when one is set */
  checkToken?: TokenCheck
  guard: AdminGuardOptions
}

const TAGS = ['admin']

const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, opts) => {
  app.addHook('onRequest', adminGuard(opts.guard))
  const guarded = opts.checkToken === undefined ? {} : { checkToken: opts.checkToken }

  // probes answer without ADMIN_TOKEN
  view(app, '/health', {
    endpoints: [endpoint({
      methods: ['GET', 'HEAD'],
      scoping: 'none',
      schema: { tags: TAGS, summary: 'The emulator answers (it listens once migrations and the seed are done)', security: [], response: { 200: HealthSchema } },
      handler: () => ({ value: { status: 'ok' } })
    })]
  })

  view(app, '/ready', {
    endpoints: [endpoint({
      methods: ['GET', 'HEAD'],
      scoping: 'none',
      schema: { tags: TAGS, summary: 'Migrations and the seed are done', security: [], response: { 200: HealthSchema, 503: StartingSchema } },
      handler: () => app.readiness.ready ? { value: { status: 'ok' } } : { status: 503, value: { status: 'starting' } }
    })]
  })

  view(app, '/payments', {
    ...guarded,
    endpoints: [
      endpoint({
        methods: ['GET'],
        scoping: 'scope',
        schema: {
          tags: TAGS,
          summary: 'The payments of the scope the headers name (all without them), a page at a time',
          headers: ScopeHeaders,
          querystring: PageQuery,
          response: { 200: PaymentPageSchema, 404: Detail }
        },
        handler: ({ request, scope }) => {
          const count = app.payments.count(scope)
          const page = readPage(request.query, count)
          if (page instanceof ApiError) return page
          const results = app.payments.list(scope, page.offset, page.size).map(listedPaymentJson)
          return { text: pageJson(request, page, count, results) }
        }
      }),
      endpoint({
        methods: ['POST'],
        scoping: 'partition',
        schema: {
          tags: TAGS,
          summary: 'Create a payment in the partition the headers name',
          headers: PartitionHeaders,
          body: NewPaymentSchema,
          response: { 201: PaymentSchema, 400: ValidationError, 409: Detail }
        },
        handler: ({ request, partition }) => {
          const body = readBody(request)
          if (body instanceof ApiError) return body
          const payment = readPayment(body)
          if (payment instanceof ApiError) return payment
          const created = app.payments.create(partition, payment)
          if (created.kind === 'exists') return detail(409, `Payment ${created.id} already exists in this workspace and mode.`)
          return { status: 201, text: paymentJson(created.payment) }
        }
      })
    ]
  })

  view(app, '/payments/:id', {
    ...guarded,
    endpoints: [endpoint({
      methods: ['GET', 'HEAD'],
      scoping: 'partition',
      schema: {
        tags: TAGS,
        summary: 'A payment with its refunds, oldest first',
        headers: PartitionHeaders,
        params: Type.Object({ id: Type.String() }),
        response: { 200: PaymentWithRefundsSchema, 404: Detail }
      },
      handler: ({ params, partition }) => {
        const id = pyIntFromString(String(params.id)) // (the route's :id is always there)
        const found = id === null ? undefined : app.payments.find(partition, id)
        if (found === undefined) return detail(404, DETAIL.notFound)
        return { doc: paymentDocument(found, () => app.payments.refunds(found)) }
      }
    })]
  })

  view(app, '/reset', {
    ...guarded,
    endpoints: [endpoint({
      methods: ['POST'],
      scoping: 'scope',
      schema: { tags: TAGS, summary: 'Delete the scope\'s payments and refunds (everything without headers)', headers: ScopeHeaders, response: { 200: ResetSchema } },
      handler: ({ scope }) => ({ value: app.snapshots.reset(scope) })
    })]
  })
}

export default adminRoutes
