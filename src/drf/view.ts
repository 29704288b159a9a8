// What DRF's APIView does before a handler runs (APIView.initial + dispatch): content negotiation (404/406),
// authentication (401/403), the partition headers (400), then the method (405). `Allow` is on every answer.
// A view is two routes: the methods it implements (the ones the OpenAPI document shows) and, hidden, all the
// others, which pass the same checks and are then answered 405.
import type { Readable } from 'node:stream'
import type { TSchema } from '@sinclair/typebox'
import type { FastifyContextConfig, FastifyReply, FastifyRequest, FastifySchema, HookHandlerDoneFunction, RouteOptions } from 'fastify'
import { ApiError, DETAIL, detail, sendError } from '../errors.js'
import { readPartition, readScope, type Partition, type Scope } from '../partition.js'
import type { Streamable } from '../python/json.js'
import { sendJson, sendStreamedJson } from './render.js'
import { readToken } from './auth.js'
import { negotiate } from './negotiation.js'

/** Decides whether an authenticated request may go on: undefined to accept, or the error to answer. */
export type TokenCheck = (token: string, request: FastifyRequest) => ApiError | undefined

interface ViewOptions {
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

function apiView (opts: ViewOptions) {
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

// ---- views: a resource's methods, its hidden 405 twin and its partition or scope, registered in one call

/** What an endpoint's requests are limited to: a partition (required headers), a scope (optional ones), or neither. */
export type Scoping = 'partition' | 'scope' | 'none'

/** A handler's answer: an error (4xx, sent as is), or JSON — text rendered already, a document written as it is
 * made, a value (JSON.stringify), or a stream of text with its own headers (a HAR download). */
type Answer =
  | ApiError
  | { status?: number, text: string }
  | { status?: number, doc: Streamable }
  | { status?: number, value: unknown }
  | { status?: number, readable: Readable, headers: Record<string, string> }

interface Base {
  request: FastifyRequest
  /** the path's parameters (`/payments/:id` → `{ id }`), as the router decoded them */
  params: Readonly<Record<string, string>>
}

/** What a handler is given: the request, and the partition or scope its headers name, typed by its scoping. */
type Context<S extends Scoping> = Base & (S extends 'partition' ? { partition: Partition } : S extends 'scope' ? { scope: Scope } : unknown)

export interface Endpoint<S extends Scoping> {
  methods: readonly string[]
  scoping: S
  /** the OpenAPI document's description of it (GET /__admin/openapi.json); these schemas only document */
  schema: FastifySchema & { summary: string, response: Record<number, TSchema> }
  bodyLimit?: number
  config?: FastifyContextConfig
  handler: (ctx: Context<S>) => Answer | Promise<Answer>
}

/** An endpoint, with its handler's context typed by its scoping. */
export const endpoint = <S extends Scoping>(spec: Endpoint<S>): Endpoint<S> => spec

export interface ViewSpec {
  /** TokenAuthentication with this check, or none */
  checkToken?: TokenCheck
  /** `?format=` values it answers besides json */
  formats?: readonly string[]
  /** DRF's metadata, answered to OPTIONS (which then shows in Allow) */
  options?: string
  /** omitted from the OpenAPI document */
  hide?: boolean
  /** the partition headers are checked for every method, before the method (the emulated API, as its APIView.initial does) */
  partitionFirst?: boolean
  endpoints: ReadonlyArray<Endpoint<Scoping>>
}

const DJANGO_ORDER = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']

interface Routes {
  supportedMethods: string[]
  route(opts: RouteOptions): unknown
}

function send (reply: FastifyReply, request: FastifyRequest, answer: Answer): FastifyReply {
  if (answer instanceof ApiError) return sendError(reply, answer)
  const status = answer.status ?? 200
  if ('text' in answer) return sendJson(reply, answer.text, status)
  if ('doc' in answer) return sendStreamedJson(request, reply, answer.doc, status)
  if ('value' in answer) return sendJson(reply, JSON.stringify(answer.value), status)
  return reply.code(status).type('application/json').headers(answer.headers).send(answer.readable)
}

/**
 * A DRF view at `url`: each endpoint's methods with DRF's checks before them (apiView: negotiation, the token,
 * the partition or scope headers), and — hidden from the document — every other method through the same checks,
 * then 405 (or, for OPTIONS, the view's metadata). `Allow` lists the methods in Django's order.
 */
export function view (app: Routes, url: string, spec: ViewSpec): void {
  const implemented = spec.endpoints.flatMap(e => e.methods)
  const allowed = [...implemented, ...(spec.options === undefined ? [] : ['OPTIONS'])]
  const hook = apiView({
    methods: DJANGO_ORDER.filter(m => allowed.includes(m)),
    partition: spec.partitionFirst === true || spec.endpoints.filter(e => e.scoping === 'partition').flatMap(e => e.methods),
    scope: spec.endpoints.some(e => e.scoping === 'scope'),
    ...(spec.checkToken === undefined ? {} : { checkToken: spec.checkToken }),
    ...(spec.formats === undefined ? {} : { formats: spec.formats })
  })
  for (const e of spec.endpoints) {
    app.route({
      method: [...e.methods],
      url,
      exposeHeadRoute: false,
      onRequest: hook,
      schema: spec.hide === true ? { hide: true } : e.schema,
      ...(e.bodyLimit === undefined ? {} : { bodyLimit: e.bodyLimit }),
      ...(e.config === undefined ? {} : { config: e.config }),
      handler: async (request, reply) => {
        const ctx = { request, params: request.params as Record<string, string>, partition: request.partition, scope: request.scope }
        return send(reply, request, await e.handler(ctx as Context<Scoping>))
      }
    })
  }
  otherMethods(app, url, implemented, hook, spec.options)
}

/**
 * The hidden half of a view: every method but `implemented`, through the same checks, then 405 — or, for
 * OPTIONS when `optionsBody` is given, DRF's view metadata.
 */
function otherMethods (app: Routes, url: string, implemented: readonly string[], view: Hook, optionsBody?: string): void {
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
