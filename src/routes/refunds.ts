// POST /refunds/ — the emulated endpoint — and its APPEND_SLASH twin /refunds.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MSG, formatMinorUnits } from '../drf/fields.js'
import { apiView, otherMethods, setAsideContentType, type TokenCheck } from '../drf/view.js'
import { ApiError, invalid, sendError } from '../errors.js'
import type { Refund } from '../db/refund-store.js'
import { duplicateKey } from '../test-kit/journal.js'
import { RefundAnswerSchema, RefundSchema } from '../schemas/refund.js'
import { Detail, PartitionHeaders, ValidationError } from '../schemas/common.js'
import { readBody } from '../serializers/common.js'
import { readRefund } from '../serializers/refund.js'
import type { Partition } from '../partition.js'

// DRF SimpleMetadata for the refund view, as DRF answers OPTIONS (checked against a real DRF app).
const OPTIONS_BODY = JSON.stringify({
  name: 'Refund List',
  description: '',
  renders: ['application/json'],
  parses: ['application/json'],
  actions: {
    POST: {
      id: { type: 'string', required: false, read_only: true, label: 'Id' },
      payment: { type: 'field', required: true, read_only: false, label: 'Payment' },
      amount: { type: 'decimal', required: true, read_only: false, label: 'Amount', min_value: 0.01 },
      balance: { type: 'decimal', required: false, read_only: true, label: 'Balance' },
      reason: {
        type: 'choice',
        required: true,
        read_only: false,
        label: 'Reason',
        choices: ['duplicate', 'fraudulent', 'requested_by_customer'].map(c => ({ value: c, display_name: c }))
      },
      note: { type: 'string', required: false, read_only: false, label: 'Note', max_length: 64 },
      receipt: { type: 'string', required: true, read_only: false, label: 'Receipt', max_length: 256 },
      status: { type: 'choice', required: false, read_only: true, label: 'Status' },
      metadata: {
        type: 'nested object',
        required: false,
        read_only: false,
        label: 'Metadata',
        child: { type: 'field', required: true, read_only: false }
      },
      created: { type: 'datetime', required: false, read_only: true, label: 'Created' },
      updated: { type: 'datetime', required: false, read_only: true, label: 'Updated' }
    }
  }
})

export const overRefund = (remaining: number): string =>
  `Ensure this value is less than or equal to the payment's remaining refundable balance of ${formatMinorUnits(remaining)}.`

export interface RefundRoutesOptions {
  checkToken: TokenCheck
  /** whether the journal is on (it is told about created refunds, for its duplicate detector) */
  journal: boolean
}

const refundRoutes: FastifyPluginAsyncTypebox<RefundRoutesOptions> = async (app, opts) => {
  // Django's CommonMiddleware (APPEND_SLASH) answers before any view: no authentication, no Allow.
  app.route({
    method: app.supportedMethods,
    url: '/refunds',
    exposeHeadRoute: false,
    schema: { hide: true },
    onRequest: (request, _reply, done) => {
      setAsideContentType(request)
      done()
    },
    handler: async (request, reply) => {
      const query = request.url.slice('/refunds'.length)
      reply.code(301).header('location', `/refunds/${query}`).type('text/html; charset=utf-8')
      return ''
    }
  })

  const view = apiView({ methods: ['POST', 'OPTIONS'], checkToken: opts.checkToken, partition: true })
  app.route({
    method: 'POST',
    url: '/refunds/',
    exposeHeadRoute: false,
    onRequest: view,
    schema: {
      tags: ['Payments'],
      summary: 'Create refund',
      description: "Issues a refund against a payment. The total of refund amounts cannot exceed the payment's amount.",
      headers: PartitionHeaders,
      // the body arrives as bytes and is read the way DRF reads it (serializers/refund.ts)
      body: RefundSchema,
      response: { 201: RefundAnswerSchema, 400: ValidationError, 401: Detail, 403: Detail, 405: Detail, 406: Detail, 413: Detail, 415: Detail }
    },
    handler: async (request, reply) => {
      const outcome = await createRefund(request.partition as Partition, request)
      // 4xx answers are sent, not thrown: Fastify's error path costs more than the rest of a 400
      if (outcome instanceof ApiError) return sendError(reply, outcome)
      if (opts.journal) request.duplicateKey = duplicateKey(request.partition as Partition, outcome)
      reply.code(201)
      return outcome
    }
  })

  otherMethods(app, '/refunds/', ['POST'], view, OPTIONS_BODY)

  async function createRefund (partition: Partition, request: Parameters<typeof readBody>[0]): Promise<Refund | ApiError> {
    const body = readBody(request)
    if (body instanceof ApiError) return body
    const input = readRefund(body)
    if (!input.ok) {
      const { lookup } = input
      if (lookup !== undefined && app.payments.find(partition, lookup.id) === undefined) {
        return invalid({ payment: [MSG.pkDoesNotExist(lookup.input)], ...input.errors })
      }
      return invalid(input.errors)
    }
    const result = await app.refunds.create(partition, input.refund)
    if (result.kind === 'no_payment') return invalid({ payment: [MSG.pkDoesNotExist(body.payment)] })
    if (result.kind === 'exceeds') return invalid({ amount: [overRefund(result.remaining)] })
    return result.refund
  }
}

export default refundRoutes
