// The admin API for tests (/__admin): health and readiness, payments, reset. Payment routes are partitioned;
// when ADMIN_TOKEN is set every call but health and ready needs it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { adminGuard, type AdminGuardOptions } from '../admin-guard.js'
import { pyIntFromString } from '../python/python.js'
import { sendJson, sendStreamedJson } from '../drf/render.js'
import { apiView, otherMethods, type TokenCheck, type ViewOptions } from '../drf/view.js'
import { ApiError, DETAIL, detail } from '../errors.js'
import { Detail, PartitionHeaders, ScopeHeaders, ValidationError } from '../schemas/common.js'
import { HealthSchema, NewPaymentSchema, PageQuery, PaymentPageSchema, PaymentSchema, PaymentWithRefundsSchema, ResetSchema, StartingSchema } from '../schemas/payment.js'
import { readBody } from '../serializers/common.js'
import { listedPaymentJson, paymentDocument, paymentJson, readPayment } from '../serializers/payment.js'
import { pageJson, readPage } from '../drf/pagination.js'
import type { Partition, Scope } from '../partition.js'

interface AdminOptions {
  /** ADMIN_TOKEN's check, when one is set */
  checkToken?: TokenCheck
  guard: AdminGuardOptions
}

const TAGS = ['admin']

const adminRoutes: FastifyPluginAsyncTypebox<AdminOptions> = async (app, opts) => {
  app.addHook('onRequest', adminGuard(opts.guard))
  const view = (methods: string[], options: Omit<ViewOptions, 'methods' | 'checkToken'>, guarded = true) => apiView({
    methods,
    ...options,
    ...(guarded && opts.checkToken !== undefined ? { checkToken: opts.checkToken } : {})
  })

  const health = view(['GET', 'HEAD'], { partition: false }, false)
  app.route({
    method: ['GET', 'HEAD'],
    url: '/health',
    exposeHeadRoute: false,
    onRequest: health,
    schema: { tags: TAGS, summary: 'The emulator answers (it listens once migrations and the seed are done)', security: [], response: { 200: HealthSchema } },
    handler: async () => ({ status: 'ok' as const })
  })
  otherMethods(app, '/health', ['GET', 'HEAD'], health)

  const ready = view(['GET', 'HEAD'], { partition: false }, false)
  app.route({
    method: ['GET', 'HEAD'],
    url: '/ready',
    exposeHeadRoute: false,
    onRequest: ready,
    schema: { tags: TAGS, summary: 'Migrations and the seed are done', security: [], response: { 200: HealthSchema, 503: StartingSchema } },
    handler: async (_request, reply) => {
      if (app.readiness.ready) return { status: 'ok' as const }
      reply.code(503)
      return { status: 'starting' as const }
    }
  })
  otherMethods(app, '/ready', ['GET', 'HEAD'], ready)

  const payments = view(['GET', 'POST'], { partition: ['POST'], scope: true })
  app.route({
    method: 'GET',
    url: '/payments',
    exposeHeadRoute: false,
    onRequest: payments,
    schema: {
      tags: TAGS,
      summary: 'The payments of the scope the headers name (all without them), a page at a time',
      headers: ScopeHeaders,
      querystring: PageQuery,
      response: { 200: PaymentPageSchema, 404: Detail }
    },
    handler: async (request, reply) => {
      const scope = request.scope as Scope
      const count = app.payments.count(scope)
      const page = readPage(request.query, count)
      if (page instanceof ApiError) throw page
      const results = app.payments.list(scope, page.offset, page.size).map(listedPaymentJson)
      return sendJson(reply, pageJson(request, page, count, results))
    }
  })
  app.route({
    method: 'POST',
    url: '/payments',
    exposeHeadRoute: false,
    onRequest: payments,
    schema: {
      tags: TAGS,
      summary: 'Create a payment in the partition the headers name',
      headers: PartitionHeaders,
      body: NewPaymentSchema,
      response: { 201: PaymentSchema, 400: ValidationError, 409: Detail }
    },
    handler: async (request, reply) => {
      const body = readBody(request)
      if (body instanceof ApiError) throw body
      const payment = readPayment(body)
      if (payment instanceof ApiError) throw payment
      const created = app.payments.create(request.partition as Partition, payment)
      if (created.kind === 'exists') throw detail(409, `Payment ${created.id} already exists in this workspace and mode.`)
      return sendJson(reply, paymentJson(created.payment), 201)
    }
  })
  otherMethods(app, '/payments', ['GET', 'POST'], payments)

  const payment = view(['GET', 'HEAD'], { partition: true })
  app.route({
    method: ['GET', 'HEAD'],
    url: '/payments/:id',
    exposeHeadRoute: false,
    onRequest: payment,
    schema: {
      tags: TAGS,
      summary: 'A payment with its refunds, oldest first',
      headers: PartitionHeaders,
      params: Type.Object({ id: Type.String() }),
      response: { 200: PaymentWithRefundsSchema, 404: Detail }
    },
    handler: async (request, reply) => {
      const id = pyIntFromString(request.params.id)
      const found = id === null ? undefined : app.payments.find(request.partition as Partition, id)
      if (found === undefined) throw detail(404, DETAIL.notFound)
      return sendStreamedJson(request, reply, paymentDocument(found, () => app.payments.refunds(found)))
    }
  })
  otherMethods(app, '/payments/:id', ['GET', 'HEAD'], payment)

  const reset = view(['POST'], { partition: false, scope: true })
  app.route({
    method: 'POST',
    url: '/reset',
    exposeHeadRoute: false,
    onRequest: reset,
    schema: { tags: TAGS, summary: 'Delete the scope\'s payments and refunds (everything without headers)', headers: ScopeHeaders, response: { 200: ResetSchema } },
    handler: async (request) => app.snapshots.reset(request.scope as Scope)
  })
  otherMethods(app, '/reset', ['POST'], reset)
}

export default adminRoutes
