// buildApp: the Fastify instance with its stores, hooks and routes. Never listens, never reads process.env.
import { timingSafeEqual } from 'node:crypto'
import { METHODS, type ServerOptions } from 'node:http'
import swagger from '@fastify/swagger'
import Fastify, { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { loadConfig, type Config } from './config.js'
import { IDLE_KEEP_ALIVE_MS } from './connections.js'
import { PACKAGE_VERSION } from './paths.js'
import { EmulatorClock, parseInstant } from './clock.js'
import type { DB } from './db/connection.js'
import { createPaymentStore, type PaymentStore } from './db/payment-store.js'
import { createRefundStore, type RefundStore } from './db/refund-store.js'
import { createSnapshotStore, type SnapshotStore } from './db/snapshot-store.js'
import { DETAIL, detail, handleClientError, handleError, handleFrameworkError, notAuthenticated, sendError } from './errors.js'
import { pyStrip } from './python/python.js'
import { header, type TokenCheck } from './drf/view.js'
import { emulatedHooks, isAdmin } from './test-kit/emulated-hooks.js'
import { renderJson } from './drf/render.js'
import { createFaults, type FaultEffect, type Faults } from './test-kit/faults.js'
import { createJournal, type Entry, type Journal } from './test-kit/journal.js'
import type { Partition, Scope } from './partition.js'
import adminRoutes from './routes/admin.js'
import testKitRoutes from './routes/test-kit.js'
import refundRoutes from './routes/refunds.js'
import dashboardRoutes from './routes/dashboard.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the setting that raises a route's own body limit, named in its 413 */
    bodyLimitSetting?: string
  }
  interface FastifyInstance {
    payments: PaymentStore
    refunds: RefundStore
    snapshots: SnapshotStore
    journal: Journal
    faults: Faults
    clock: EmulatorClock
    /** false until migrations and the seed are done (GET /__admin/ready) */
    readiness: { ready: boolean }
  }
  interface FastifyRequest {
    /** the clock's time when the request arrived (microseconds), for the journal */
    startedUs: number
    /** the (workspace, mode) the partition headers name; set by views that read them */
    partition: Partition | null
    /** the optional scope headers of an admin call; set by admin views that read them */
    scope: Scope | null
    /** JSON indent the client negotiated (Accept: application/json; indent=4), null for compact */
    indent: number | null
    /** the Content-Type header as the client sent it (drf/view.ts, setAsideContentType) */
    contentTypeHeader: string | undefined
    /** what the fault rules this request matched do to it, if any applies */
    faults: FaultEffect | null
    /** set when the request created a succeeded refund, for the journal's duplicate detector */
    duplicateKey: string | null
  }
}

export type AppSettings = Pick<Config, 'tokens' | 'allowedHosts' | 'ALLOW_LIVE_TOKENS' | 'ADMIN_TOKEN' | 'JOURNAL_SIZE' | 'JOURNAL_MAX_BYTES' | 'DUPLICATE_WINDOW_MS' | 'LATENCY_MS' | 'CLOCK' | 'SNAPSHOT_MAX_BYTES'>

export interface AppDeps {
  db: DB
  /** defaults: those of the environment variables */
  config?: Partial<AppSettings>
  /** default: CLOCK's */
  clock?: EmulatorClock
  /** whether GET /__admin/ready answers 200 from the start (default true); see app.readiness */
  ready?: boolean
  /** told about every journal entry as it is recorded (JOURNAL_FILE) */
  onJournalEntry?: (entry: Entry) => void
}

/** The largest request body accepted; larger ones are answered 413 (the journal keeps less: JOURNAL_BODY_CHARS). */
const REQUEST_BODY_LIMIT = 1024 * 1024

/**
 * How long a client may take: to send its headers, and its whole request (a slow client is cut off with 408);
 * Node checks them every CHECK_INTERVAL_MS. Headers are limited to Node's 16 KiB (431 above).
 */
export const TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, checkIntervalMs: 1000 } as const

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

/**
 * API_TOKENS and ALLOW_LIVE_TOKENS: live-looking keys are refused first (a key pasted from a real account must
 * never be accepted silently), then unknown tokens, then a bound token used with a workspace it is not bound to.
 */
function apiTokenCheck (settings: Pick<AppSettings, 'tokens' | 'ALLOW_LIVE_TOKENS'>): TokenCheck {
  return (token, request) => {
    if (!settings.ALLOW_LIVE_TOKENS && token.startsWith('sk_live_')) return notAuthenticated(DETAIL.liveToken)
    if (settings.tokens.size === 0) return undefined
    const workspaces = settings.tokens.get(token)
    if (workspaces === undefined) return notAuthenticated(DETAIL.invalidToken)
    const ws = header(request, 'x-simple-workspace')
    if (workspaces === null || ws === undefined || pyStrip(ws) === '' || workspaces.has(ws)) return undefined
    return detail(403, DETAIL.permissionDenied)
  }
}

/** ADMIN_TOKEN, compared in constant time; undefined when no admin token is set. */
function adminTokenCheck (adminToken: string): TokenCheck | undefined {
  if (adminToken === '') return undefined
  const expected = Buffer.from(adminToken)
  return (token) => {
    const given = Buffer.from(token)
    return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : notAuthenticated(DETAIL.invalidToken)
  }
}

export type AppOptions = FastifyServerOptions & { http?: ServerOptions }

export async function buildApp (deps: AppDeps, opts: AppOptions = {}) {
  const { db } = deps
  const settings: AppSettings = { ...loadConfig({}), ...deps.config }
  const clock = deps.clock ?? new EmulatorClock(settings.CLOCK === '' ? null : parseInstant(settings.CLOCK))
  const app = Fastify({
    bodyLimit: REQUEST_BODY_LIMIT,
    // requests that arrive while the server drains are still answered by the handlers, not by a bare 503
    return503OnClosing: false,
    // malformed URLs (`/%E0%A4%A`) get the same {"detail": …} body as every other error
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
    requestTimeout: TIMEOUTS.requestMs,
    keepAliveTimeout: IDLE_KEEP_ALIVE_MS,
    http: { headersTimeout: TIMEOUTS.headersMs, connectionsCheckingInterval: TIMEOUTS.checkIntervalMs },
    logController: new OneLinePerRequest(),
    ...opts
  })

  // Fastify makes a child logger per request to bind its id; pino serializes bindings when the child is made.
  // Below info nothing is logged per request and the id would never be read: requests share the root logger.
  const log = app.log as typeof app.log & { isLevelEnabled?: (level: string) => boolean }
  if (log.isLevelEnabled?.('info') !== true) app.setChildLoggerFactory(logger => logger)

  // Every method Node's parser accepts reaches a route, so the views answer 405 (DRF) instead of 404.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true })
  }

  const journal = createJournal({
    size: settings.JOURNAL_SIZE,
    maxBytes: settings.JOURNAL_MAX_BYTES,
    duplicateWindowMs: settings.DUPLICATE_WINDOW_MS,
    ...(deps.onJournalEntry === undefined ? {} : { onAdd: deps.onJournalEntry })
  })
  const faults = createFaults()
  app.decorate('payments', createPaymentStore(db, clock))
  app.decorate('refunds', createRefundStore(db, clock))
  app.decorate('snapshots', createSnapshotStore(db, clock))
  app.decorate('journal', journal)
  app.decorate('faults', faults)
  app.decorate('clock', clock)
  app.decorate('readiness', { ready: deps.ready ?? true })
  app.decorateRequest('startedUs', 0)
  app.decorateRequest('partition', null)
  app.decorateRequest('scope', null)
  app.decorateRequest('indent', null)
  app.decorateRequest('contentTypeHeader', undefined)
  app.decorateRequest('faults', null)
  app.decorateRequest('duplicateKey', null)

  // Bodies are parsed by the views (DRF parses lazily, after authentication and the method check), so every
  // body arrives as a Buffer; the views set the client's Content-Type aside first (setAsideContentType).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  const emulated = emulatedHooks({ journal, faults, clock, latencyMs: settings.LATENCY_MS, render: renderJson })
  app.addHook('onRequest', emulated.onRequest)

  // Once the server is closing, answers to requests still in flight close their connection, so that shutdown
  // does not wait for idle keep-alive sockets (and the requests themselves still get their answer).
  let draining = false
  app.addHook('preClose', (done) => {
    draining = true
    done()
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    if (draining) reply.header('connection', 'close')
    if (isAdmin(request)) return done(null, renderJson(request, reply, payload))
    emulated.onSend(request, reply, payload, done)
  })
  app.setErrorHandler(handleError)
  app.setNotFoundHandler((_request, reply) => { sendError(reply, detail(404, DETAIL.notFound)) })

  // Route schemas document (GET /__admin/openapi.json), and nothing else: the emulated API reads bodies the way DRF
  // reads them (src/serializers), the admin API reads its bodies with the same TypeBox schemas through its own
  // readers (src/schemas/validate.ts, DRF-style errors), and every answer is text made by a serializer — so neither
  // Ajv (a fifth of the cold start to build) nor fast-json-stringify ever sees a request or an answer.
  app.setValidatorCompiler(() => () => true)
  app.setSerializerCompiler(() => data => JSON.stringify(data))

  // Collects the route schemas for GET /__admin/openapi.json; must be registered before the routes.
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'piriod-mock',
        version: PACKAGE_VERSION,
        description: 'The emulated Piriod refunds endpoint and the emulator\'s admin API (/__admin).'
      },
      components: {
        securitySchemes: { TokenAuth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <api_token>' } }
      },
      security: [{ TokenAuth: [] }]
    }
  })

  const adminCheck = adminTokenCheck(settings.ADMIN_TOKEN)
  const guard = { allowedHosts: settings.allowedHosts, adminToken: settings.ADMIN_TOKEN !== '' }
  await app.register(refundRoutes, { checkToken: apiTokenCheck(settings), journal: settings.JOURNAL_SIZE > 0 })
  await app.register(adminRoutes, { prefix: '/__admin', guard, ...(adminCheck ? { checkToken: adminCheck } : {}) })
  await app.register(testKitRoutes, { prefix: '/__admin', guard, snapshotMaxBytes: settings.SNAPSHOT_MAX_BYTES, ...(adminCheck ? { checkToken: adminCheck } : {}) })
  await app.register(dashboardRoutes, { guard })
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
