// The test kit under /__admin: the request journal, fault rules and snapshots. Every call works on the scope
// its x-simple-workspace / x-piriod-test-mode headers name, or on everything when they are not sent.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { integerField, MISSING, type FieldResult } from '../drf/fields.js'
import { apiView, otherMethods, type TokenCheck } from '../drf/view.js'
import { ApiError, DETAIL, detail, invalid, type ValidationErrors } from '../errors.js'
import { ruleBody } from '../test-kit/faults.js'
import { entryBody, entryId, seqOf, type Entry, type JournalFilter } from '../test-kit/journal.js'
import { inScope, type Scope } from '../partition.js'
import { readBody } from '../serializers/common.js'
import { Type } from '@sinclair/typebox'
import { Detail, ScopeHeaders, ValidationError } from '../schemas/common.js'
import { FaultRuleInput, JournalQuery, SnapshotAnswerSchema, SnapshotSchema } from '../schemas/test-kit.js'
import { isProblems, readDocument } from '../test-kit/snapshot.js'

export const DEFAULT_LIMIT = 100

function queryValue (query: unknown, name: string): unknown {
  const v = (query as Record<string, unknown>)[name]
  return Array.isArray(v) ? v[v.length - 1] : v ?? MISSING
}

interface PageQuery { filter: JournalFilter, limit: number, before: number | null }

/** ?method=&path=&status=&limit=&before= of GET /__admin/requests, DRF-style errors. */
function readJournalQuery (query: unknown): PageQuery | ApiError {
  const errors: ValidationErrors = {}
  const take = <T>(name: string, r: FieldResult<T>): T | undefined => {
    if (r.ok) return r.value
    errors[name] = r.errors
    return undefined
  }
  const status = take('status', integerField(queryValue(query, 'status'), { min: 100, max: 599, required: false }))
  // any limit: a helper that asks for "everything" gets what there is
  const limit = take('limit', integerField(queryValue(query, 'limit'), { min: 1, max: Number.MAX_SAFE_INTEGER, required: false }))
  const beforeValue = queryValue(query, 'before')
  let before: number | null = null
  if (beforeValue !== MISSING) {
    before = seqOf(String(beforeValue))
    if (before === null) errors.before = ['Enter a request id such as "req_00000042".']
  }
  if (Object.keys(errors).length > 0) return invalid(errors)
  const filter: JournalFilter = {}
  const method = queryValue(query, 'method')
  const path = queryValue(query, 'path')
  if (typeof method === 'string' && method !== '') filter.method = method.toUpperCase()
  if (typeof path === 'string' && path !== '') filter.path = path
  if (typeof status === 'number') filter.status = status
  return { filter, limit: limit ?? DEFAULT_LIMIT, before }
}

/** The URL of the page after `seq`: the same query with `before` set. */
function nextPage (url: string, seq: number): string {
  const q = url.indexOf('?')
  const params = q < 0 ? [] : url.slice(q + 1).split('&').filter(p => p !== '' && !p.startsWith('before='))
  params.push(`before=${entryId(seq)}`)
  return `${q < 0 ? url : url.slice(0, q)}?${params.join('&')}`
}

/**
 * The most a page of the journal may hold, in bytes of JSON: no larger than the smallest JOURNAL_MAX_BYTES, and
 * small enough that reading a full journal back (page by page) leaves the memory near where it was.
 */
export const JOURNAL_PAGE_BYTES = 1024 * 1024

/**
 * A page of the journal as JSON text: up to `limit` entries from before `before`, and never more than `budget`
 * bytes of them (the first entry always goes in: one entry is far smaller). `next` continues where it stopped.
 */
export function journalPage (entries: readonly Entry[], q: PageQuery, budget: number, url: string): string {
  let i = q.before === null ? 0 : entries.findIndex(e => e.seq < (q.before as number))
  if (i < 0) i = entries.length
  const parts: string[] = []
  let bytes = 0
  for (; i < entries.length && parts.length < q.limit; i++) {
    const json = JSON.stringify(entryBody(entries[i] as Entry))
    const cost = Buffer.byteLength(json) + 1
    if (parts.length > 0 && bytes + cost > budget) break
    parts.push(json)
    bytes += cost
  }
  const next = i < entries.length && parts.length > 0 ? nextPage(url, (entries[i - 1] as Entry).seq) : null
  return `{"count":${entries.length},"next":${JSON.stringify(next)},"results":[${parts.join(',')}]}`
}

export interface TestKitOptions {
  checkToken?: TokenCheck
}

const TAGS = ['admin']

const testKitRoutes: FastifyPluginAsyncTypebox<TestKitOptions> = async (app, opts) => {
  const view = (methods: string[]) => apiView({
    methods,
    partition: false,
    scope: true,
    ...(opts.checkToken === undefined ? {} : { checkToken: opts.checkToken })
  })

  const requests = view(['GET', 'DELETE'])
  app.route({
    method: ['GET', 'DELETE'],
    url: '/requests',
    exposeHeadRoute: false,
    onRequest: requests,
    schema: {
      tags: TAGS,
      summary: 'GET: the journal of requests to the emulated API, newest first, a page at a time. DELETE: clears it.',
      headers: ScopeHeaders,
      querystring: JournalQuery,
      response: { 200: Type.Unknown({ description: 'GET: {"count", "next", "results": [entry…]}; DELETE: {"deleted": n}' }), 400: ValidationError }
    },
    handler: async (request, reply) => {
      const scope = request.scope as Scope
      if (request.method === 'DELETE') return { deleted: app.journal.clear(scope) }
      const q = readJournalQuery(request.query)
      if (q instanceof ApiError) throw q
      const page = journalPage(app.journal.list(scope, q.filter), q, JOURNAL_PAGE_BYTES, request.url)
      return reply.type('application/json').send(page)
    }
  })
  otherMethods(app, '/requests', ['GET', 'DELETE'], requests)

  const faults = view(['GET', 'POST', 'DELETE'])
  app.route({
    method: ['GET', 'DELETE'],
    url: '/faults',
    exposeHeadRoute: false,
    onRequest: faults,
    schema: {
      tags: TAGS,
      summary: 'GET: the fault rules and how often each fired. DELETE: remove them all.',
      headers: ScopeHeaders,
      response: { 200: Type.Unknown() }
    },
    handler: async (request) => {
      const scope = request.scope as Scope
      if (request.method === 'DELETE') return { deleted: app.faults.remove(scope) }
      const rules = app.faults.list(scope)
      return { count: rules.length, results: rules.map(ruleBody) }
    }
  })
  app.route({
    method: 'POST',
    url: '/faults',
    exposeHeadRoute: false,
    onRequest: faults,
    schema: {
      tags: TAGS,
      summary: 'Add a fault rule (scoped by the headers sent)',
      headers: ScopeHeaders,
      body: FaultRuleInput,
      response: { 201: Type.Unknown({ description: 'the rule' }), 400: ValidationError }
    },
    handler: async (request, reply) => {
      const body = readBody(request)
      if (body instanceof ApiError) throw body
      const rule = app.faults.add(body, request.scope as Scope)
      if (rule instanceof ApiError) throw rule
      reply.code(201)
      return ruleBody(rule)
    }
  })
  otherMethods(app, '/faults', ['GET', 'POST', 'DELETE'], faults)

  const fault = view(['DELETE'])
  app.route({
    method: 'DELETE',
    url: '/faults/:id',
    exposeHeadRoute: false,
    onRequest: fault,
    schema: { tags: TAGS, summary: 'Remove one fault rule', headers: ScopeHeaders, params: Type.Object({ id: Type.String() }), response: { 200: Type.Object({ deleted: Type.Integer() }), 404: Detail } },
    handler: async (request) => {
      const deleted = app.faults.remove(request.scope as Scope, request.params.id)
      if (deleted === 0) throw detail(404, DETAIL.notFound)
      return { deleted }
    }
  })
  otherMethods(app, '/faults/:id', ['DELETE'], fault)

  const snapshot = view(['GET', 'POST'])
  app.route({
    method: 'GET',
    url: '/snapshot',
    exposeHeadRoute: false,
    onRequest: snapshot,
    schema: { tags: TAGS, summary: 'The scope\'s payments with their refunds (the seed file\'s format)', headers: ScopeHeaders, response: { 200: SnapshotAnswerSchema } },
    handler: async (request) => app.snapshots.export(request.scope as Scope)
  })
  app.route({
    method: 'POST',
    url: '/snapshot',
    exposeHeadRoute: false,
    onRequest: snapshot,
    schema: {
      tags: TAGS,
      summary: 'Replace the scope\'s payments and refunds with a snapshot, in one transaction',
      headers: ScopeHeaders,
      body: SnapshotSchema,
      response: { 200: Type.Unknown(), 400: ValidationError }
    },
    handler: async (request) => {
      const scope = request.scope as Scope
      const body = readBody(request)
      if (body instanceof ApiError) throw body
      const docs = readDocument(body)
      if (isProblems(docs)) throw invalid(Object.fromEntries(docs.map(([path, message]) => [path, [message]])))
      const outside: ValidationErrors = {}
      docs.forEach((p, i) => {
        if (!inScope(scope, p.workspace, p.testMode)) {
          outside[`payments[${i}]`] = ['Outside the scope of this call (its x-simple-workspace / x-piriod-test-mode headers).']
        }
      })
      if (Object.keys(outside).length > 0) throw invalid(outside)
      return app.snapshots.replace(scope, docs)
    }
  })
  otherMethods(app, '/snapshot', ['GET', 'POST'], snapshot)

  const openapi = apiView({ methods: ['GET', 'HEAD'], partition: false })
  app.route({
    method: ['GET', 'HEAD'],
    url: '/openapi.json',
    exposeHeadRoute: false,
    onRequest: openapi,
    schema: { hide: true },
    handler: async () => app.swagger()
  })
  otherMethods(app, '/openapi.json', ['GET', 'HEAD'], openapi)
}

export default testKitRoutes
