// buildApp: the Fastify instance with its stores, hooks and routes. Never listens, never reads process.env.
import { METHODS } from 'node:http'
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import { systemClock, type Clock } from './clock.js'
import type { DB } from './db/connection.js'
import { createPaymentStore, type PaymentStore } from './db/payment-store.js'
import { createRefundStore, type RefundStore } from './db/refund-store.js'
import { DETAIL, handleError, handleFrameworkError, notAuthenticated } from './errors.js'
import type { TokenCheck } from './drf/view.js'
import type { Partition } from './partition.js'
import adminRoutes from './routes/admin.js'
import refundRoutes from './routes/refunds.js'

declare module 'fastify' {
  interface FastifyInstance {
    payments: PaymentStore
    refunds: RefundStore
  }
  interface FastifyRequest {
    /** the (workspace, mode) the partition headers name; set by views that read them */
    partition: Partition | null
    /** JSON indent the client negotiated (Accept: application/json; indent=4), null for compact */
    indent: number | null
    /** the Content-Type header as the client sent it (see the onRequest hook below) */
    contentTypeHeader: string | undefined
  }
}

export interface AppDeps {
  config: Pick<Config, 'tokens'>
  db: DB
  clock?: Clock
}

/** The largest request body accepted; larger ones are answered 413. */
export const BODY_LIMIT = 1024 * 1024

const LINE_SEPARATORS = /[\u2028\u2029]/g

// DRF's JSONRenderer: exactly `application/json`, U+2028/U+2029 escaped, pretty-printed on request.
function renderJson (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const type = reply.getHeader('content-type')
  if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('application/json')) return payload
  reply.header('content-type', 'application/json')
  let out = payload
  if (request.indent !== null && out !== '') out = JSON.stringify(JSON.parse(out), null, request.indent)
  LINE_SEPARATORS.lastIndex = 0
  if (LINE_SEPARATORS.test(out)) out = out.replace(LINE_SEPARATORS, c => c === '\u2028' ? '\\u2028' : '\\u2029')
  return out
}

/**
 * One log line per request, when it completes, naming the request (Fastify writes two by default). The request
 * is logged here rather than bound to every request's child logger: pino serializes bindings eagerly, which
 * costs every request even when LOG_LEVEL hides the line. A response that failed to go out carries `err`.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest (): void {}

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    reply.log.info({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request completed')
  }
}

export async function buildApp (deps: AppDeps, opts: FastifyServerOptions = {}) {
  const { config, db } = deps
  const clock = deps.clock ?? systemClock()
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    // requests that arrive while the server drains are still answered by the handlers, not by a bare 503
    return503OnClosing: false,
    // malformed URLs (`/%E0%A4%A`) get the same {"detail": …} body as every other error
    frameworkErrors: handleFrameworkError,
    logController: new OneLinePerRequest(),
    ...opts
  }).withTypeProvider<TypeBoxTypeProvider>()

  // Fastify makes a child logger per request to bind its id; pino serializes bindings when the child is made.
  // Below info nothing is logged per request and the id would never be read: requests share the root logger.
  const log = app.log as typeof app.log & { isLevelEnabled?: (level: string) => boolean }
  if (log.isLevelEnabled?.('info') !== true) app.setChildLoggerFactory(logger => logger)


  // Every method Node's parser accepts reaches a route, so the views answer 405 (DRF) instead of 404.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true })
  }

  app.decorate('payments', createPaymentStore(db, clock))
  app.decorate('refunds', createRefundStore(db, clock))
  app.decorateRequest('partition', null)
  app.decorateRequest('indent', null)
  app.decorateRequest('contentTypeHeader', undefined)

  // Bodies are parsed by the views (DRF parses lazily, after authentication and the method check), so every
  // body arrives as a Buffer; the views set the client's Content-Type aside first (setAsideContentType).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  // Once the server is closing, answers to requests still in flight close their connection, so that shutdown
  // does not wait for idle keep-alive sockets (and the requests themselves still get their answer).
  let draining = false
  app.addHook('preClose', (done) => {
    draining = true
    done()
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close')
    done(null, renderJson(request, reply, payload))
  })
  app.setErrorHandler(handleError)
  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).type('application/json').send(JSON.stringify({ detail: DETAIL.notFound }))
  })

  const checkToken: TokenCheck = config.tokens.size === 0
    ? () => undefined
    : (token) => config.tokens.has(token) ? undefined : notAuthenticated(DETAIL.invalidToken)

  await app.register(refundRoutes, { checkToken })
  await app.register(adminRoutes, { prefix: '/__admin' })
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
