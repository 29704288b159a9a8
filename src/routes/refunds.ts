// POST /refunds/ — the emulated endpoint — and its APPEND_SLASH twin /refunds.
import type { FastifyPluginAsync } from 'fastify'
import { MIN_AMOUNT, NOTE_MAX_LENGTH, RECEIPT_MAX_LENGTH, REFUND_REASONS } from '../domain.js'
import { endpoint, setAsideContentType, view, type TokenCheck } from '../drf/view.js'
import { ApiError } from '../errors.js'
import { duplicateKey } from '../test-kit/duplicates.js'
import { RefundAnswerSchema, RefundSchema } from '../schemas/refund.js'
import { Detail, PartitionHeaders, ValidationError } from '../schemas/common.js'
import { readBody } from '../serializers/common.js'
import { createRefund, refundJson } from '../serializers/refund.js'

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
      amount: { type: 'decimal', required: true, read_only: false, label: 'Amount', min_value: MIN_AMOUNT },
      balance: { type: 'decimal', required: false, read_only: true, label: 'Balance' },
      reason: {
        type: 'choice',
        required: true,
        read_only: false,
        label: 'Reason',
        choices: REFUND_REASONS.map(c => ({ value: c, display_name: c }))
      },
      note: { type: 'string', required: false, read_only: false, label: 'Note', max_length: NOTE_MAX_LENGTH },
      receipt: { type: 'string', required: true, read_only: false, label: 'Receipt', max_length: RECEIPT_MAX_LENGTH },
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

interface RefundRoutesOptions {
  checkToken: TokenCheck
  /** whether the journal is on (it is told about created refunds, for its duplicate detector) */
  journal: boolean
}

const refundRoutes: FastifyPluginAsync<RefundRoutesOptions> = async (app, opts) => {
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

  view(app, '/refunds/', {
    checkToken: opts.checkToken,
    options: OPTIONS_BODY,
    partitionFirst: true,
    endpoints: [endpoint({
      methods: ['POST'],
      scoping: 'partition',
      schema: {
        tags: ['Payments'],
        summary: 'Create refund',
        description: "Issues a refund against a payment. The total of refund amounts cannot exceed the payment's amount.",
        headers: PartitionHeaders,
        // documents the contract: the body arrives as bytes and is read the way DRF reads it (serializers/refund.ts)
        body: RefundSchema,
        response: { 201: RefundAnswerSchema, 400: ValidationError, 401: Detail, 403: Detail, 405: Detail, 406: Detail, 413: Detail, 415: Detail }
      },
      handler: async ({ request, partition }) => {
        const body = readBody(request)
        const refund = body instanceof ApiError ? body : await createRefund(app, partition, body)
        if (refund instanceof ApiError) return refund
        if (opts.journal) request.duplicateKey = duplicateKey(partition, refund)
        return { status: 201, text: refundJson(refund) }
      }
    })]
  })
}

export default refundRoutes
