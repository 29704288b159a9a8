// What DRF's APIView does before a handler runs (APIView.initial + dispatch): content negotiation (404/406),
// authentication (401/403), the partition headers (400), then the method (405). `Allow` is on every answer.
// A view is two routes: the methods it implements (the ones the OpenAPI document shows) and, hidden, all the
// others, which pass the same checks and are then answered 405.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { ApiError, DETAIL, detail, sendError } from '../errors.js'
import { readPartition, readScope } from '../partition.js'
import { readToken } from './auth.js'
import { negotiate } from './negotiation.js'

/** Decides whether an authenticated request may go on: undefined to accept, or the error to answer. */
export type TokenCheck = (token: string, request: FastifyRequest) => ApiError | undefined

export interface ViewOptions {
  /** the methods the view implements, in Django's order (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS): `Allow` */
  methods: readonly string[]
  /** TokenAuthentication with this check, or none (admin views) */
  checkToken?: TokenCheck
  /**
   * whether x-simple-workspace / x-piriod-test-mode are required and read into request.partition: for every method,
   * or for the ones listed (the others read `scope` when it is set)
   */
  partition: boolean | readonly string[]
  /** whether they are read, when sent, into request.scope (admin calls that work on a scope) */
  scope?: boolean
  /** `?format=` values the view answers besides json (each a JSON document too) */
  formats?: readonly string[]
}

function lastValue (value: unknown): string | undefined {
  if (Array.isArray(value)) return lastValue(value[value.length - 1])
  return typeof value === 'string' ? value : undefined
}

/** The `?format=` of a request (the last, when repeated). */
export const requestedFormat = (request: FastifyRequest): string | undefined => lastValue((request.query as Record<string, unknown>).format)

/** A request header; Node joins repeated custom headers into one string. */
export function header (request: FastifyRequest, name: string): string | undefined {
  return request.headers[name] as string | undefined
}

/**
 * Fastify refuses a media type it cannot parse (`*`, `a/b, c/d`) before any parser runs, where DRF echoes it in
 * a 415 — or ignores it for an empty body. So the header is kept in request.contentTypeHeader and Fastify is
 * shown a type its catch-all parser takes.
 */
export function setAsideContentType (request: FastifyRequest): void {
  const type = request.raw.headers['content-type']
  if (type !== undefined) {
    request.contentTypeHeader = type
    request.raw.headers['content-type'] = 'application/octet-stream'
  }
}

export function apiView (opts: ViewOptions) {
  const allow = opts.methods.join(', ')
  // APIView.initial's checks in its order; the first refusal is the answer
  function refusal (request: FastifyRequest): ApiError | undefined {
    const indent = negotiate(request.headers.accept, requestedFormat(request), opts.formats)
    if (indent instanceof ApiError) return indent
    request.indent = indent
    if (opts.checkToken !== undefined) {
      const token = readToken(request.headers.authorization)
      if (token instanceof ApiError) return token
      const refused = opts.checkToken(token, request)
      if (refused !== undefined) return refused
    }
    const partitioned = opts.partition === true || (Array.isArray(opts.partition) && opts.partition.includes(request.method))
    if (partitioned) {
      const partition = readPartition(header(request, 'x-simple-workspace'), header(request, 'x-piriod-test-mode'))
      if (partition instanceof ApiError) return partition
      request.partition = partition
    }
    if (opts.scope === true && !partitioned) {
      const scope = readScope(header(request, 'x-simple-workspace'), header(request, 'x-piriod-test-mode'))
      if (scope instanceof ApiError) return scope
      request.scope = scope
    }
    return undefined
  }
  return function initial (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    setAsideContentType(request)
    reply.header('allow', allow)
    const refused = refusal(request)
    if (refused === undefined) done()
    else sendError(reply, refused)
  }
}

type Hook = ReturnType<typeof apiView>

interface RouteTarget {
  supportedMethods: string[]
  route(opts: { method: string[], url: string, exposeHeadRoute: boolean, onRequest: Hook, schema: { hide: boolean }, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> }): unknown
}

/**
 * The hidden half of a view: every method but `implemented`, through the same checks, then 405 — or, for
 * OPTIONS when `optionsBody` is given, DRF's view metadata.
 */
export function otherMethods (app: RouteTarget, url: string, implemented: readonly string[], view: Hook, optionsBody?: string): void {
  app.route({
    method: app.supportedMethods.filter(m => !implemented.includes(m)),
    url,
    exposeHeadRoute: false,
    onRequest: view,
    schema: { hide: true },
    handler: async (request, reply) => {
      if (request.method === 'OPTIONS' && optionsBody !== undefined) return reply.type('application/json').send(optionsBody)
      return sendError(reply, detail(405, DETAIL.methodNotAllowed(request.method)))
    }
  })
}
