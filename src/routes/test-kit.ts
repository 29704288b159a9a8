// The test kit under /__admin: the request journal, fault rules and snapshots. Every call works on the scope
// its x-simple-workspace / x-piriod-test-mode headers name, or on everything when they are not sent.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Readable } from 'node:stream'
import { adminGuard, type AdminGuardOptions } from '../admin-guard.js'
import { apiView, otherMethods, requestedFormat, type TokenCheck } from '../drf/view.js'
import { ApiError, DETAIL, detail, invalid } from '../errors.js'
import { ruleBody } from '../test-kit/faults.js'
import { journalPage, JOURNAL_PAGE_BYTES, readJournalQuery, selectedOldestFirst } from '../test-kit/journal-page.js'
import { harDocument, harFromEntry } from '../test-kit/har.js'
import type { Scope } from '../partition.js'
import { readBody } from '../serializers/common.js'
import { Detail, ScopeHeaders, ValidationError } from '../schemas/common.js'
import { ClockChangeSchema, ClockSchema, FaultRuleSchema, JournalQuery, SnapshotAnswerSchema, SnapshotSchema } from '../schemas/test-kit.js'
import { applyClockChange, clockBody, readClockChange } from '../test-kit/clock.js'
import { outsideScope, readDocument, refundIdTaken, snapshotDocument } from '../test-kit/snapshot.js'
import { sendJson, sendStreamedJson } from '../drf/render.js'

interface TestKitOptions {
  checkToken?: TokenCheck
  guard: AdminGuardOptions
  /** SNAPSHOT_MAX_BYTES: the restore's own body limit (an export of any size the database holds restores) */
  snapshotMaxBytes: number
}

const TAGS = ['admin']

const testKitRoutes: FastifyPluginAsyncTypebox<TestKitOptions> = async (app, opts) => {
  app.addHook('onRequest', adminGuard(opts.guard))
  const view = (methods: string[], formats: string[] = []) => apiView({
    methods,
    partition: false,
    scope: true,
    formats,
    ...(opts.checkToken === undefined ? {} : { checkToken: opts.checkToken })
  })

  const requests = view(['GET', 'DELETE'], ['har'])
  app.route({
    method: ['GET', 'DELETE'],
    url: '/requests',
    exposeHeadRoute: false,
    onRequest: requests,
    schema: {
      tags: TAGS,
      summary: 'GET: the journal of requests to the emulated API, newest first, a page at a time; with ?format=har, ' +
        'all of it (or its newest `limit` entries) as one HAR 1.2 document, oldest first. DELETE: clears it.',
      headers: ScopeHeaders,
      querystring: JournalQuery,
      response: {
        200: Type.Unknown({ description: 'GET: {"count", "next", "results": [entry…]}, or a HAR document ({"log"}); DELETE: {"deleted": n}' }),
        400: ValidationError
      }
    },
    handler: async (request, reply) => {
      const scope = request.scope as Scope
      if (request.method === 'DELETE') return { deleted: app.journal.clear(scope) }
      const har = requestedFormat(request) === 'har'
      const q = readJournalQuery(request.query, har ? Number.MAX_SAFE_INTEGER : undefined)
      if (q instanceof ApiError) throw q
      if (har) {
        const entries = app.journal.list(scope, q.filter)
        const document = harDocument(selectedOldestFirst(entries, q), harFromEntry)
        return reply.type('application/json').header('content-disposition', 'attachment; filename="piriod-mock.har"').send(Readable.from(document))
      }
      const page = journalPage(app.journal.list(scope, q.filter), q, JOURNAL_PAGE_BYTES, request.url)
      return sendJson(reply, page)
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
      body: FaultRuleSchema,
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
    handler: async (request, reply) => {
      const scope = request.scope as Scope
      const clock = app.clock.mode === 'fixed' ? () => app.clock.next() : null
      return sendStreamedJson(request, reply, snapshotDocument(() => app.snapshots.export(scope), clock))
    }
  })
  app.route({
    method: 'POST',
    url: '/snapshot',
    exposeHeadRoute: false,
    bodyLimit: opts.snapshotMaxBytes,
    config: { bodyLimitSetting: 'SNAPSHOT_MAX_BYTES' },
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
      const doc = readDocument(body)
      if (!doc.ok) throw invalid(doc.errors)
      const outside = outsideScope(scope, doc.payments)
      if (Object.keys(outside).length > 0) throw invalid(outside)
      const replaced = app.snapshots.replace(scope, doc.payments)
      if (replaced.kind === 'refund_id_taken') throw invalid(refundIdTaken(replaced))
      // the clock continues from the snapshot's time, never going back
      if (doc.clockUs !== null) app.clock.catchUp(doc.clockUs)
      return { deleted: replaced.deleted, imported: replaced.imported }
    }
  })
  otherMethods(app, '/snapshot', ['GET', 'POST'], snapshot)

  const clock = view(['GET', 'POST'])
  app.route({
    method: 'GET',
    url: '/clock',
    exposeHeadRoute: false,
    onRequest: clock,
    schema: { tags: TAGS, summary: 'The emulator\'s clock: its time and whether it is the system clock or a fixed one', response: { 200: ClockSchema } },
    handler: async () => clockBody(app.clock)
  })
  app.route({
    method: 'POST',
    url: '/clock',
    exposeHeadRoute: false,
    onRequest: clock,
    schema: {
      tags: TAGS,
      summary: 'Set the clock ({"now"}), move it forward ({"advance_ms"} or {"advance": "PT10M"}), or {"reset": true}',
      body: ClockChangeSchema,
      response: { 200: ClockSchema, 400: ValidationError }
    },
    handler: async (request) => {
      const body = readBody(request)
      if (body instanceof ApiError) throw body
      const change = readClockChange(body)
      if (change instanceof ApiError) throw change
      const refused = applyClockChange(app.clock, change)
      if (refused !== null) throw refused
      return clockBody(app.clock)
    }
  })
  otherMethods(app, '/clock', ['GET', 'POST'], clock)

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
