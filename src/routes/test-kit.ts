// The test kit under /__admin: the request journal, fault rules, snapshots and the clock. Every call but the clock's
// works on the scope its x-simple-workspace / x-piriod-test-mode headers name, or on everything without them.
import type { FastifyPluginAsync } from 'fastify'
import { Type } from '@sinclair/typebox'
import { Readable } from 'node:stream'
import { adminGuard, type AdminGuardOptions } from '../admin-guard.js'
import { endpoint, requestedFormat, view, type TokenCheck } from '../drf/view.js'
import { ApiError, DETAIL, detail, invalid } from '../errors.js'
import { ruleBody } from '../test-kit/faults.js'
import { journalPage, JOURNAL_PAGE_BYTES, readJournalQuery, selectedOldestFirst } from '../test-kit/journal-page.js'
import { harDocument, harFromEntry } from '../test-kit/har.js'
import { readBody } from '../serializers/common.js'
import { Detail, ScopeHeaders, ValidationError } from '../schemas/common.js'
import {
  ClockChangeSchema, ClockSchema, DeletedSchema, FaultListSchema, FaultRuleAnswerSchema, FaultRuleSchema, JournalPageSchema, JournalQuery,
  RestoredSchema, SnapshotAnswerSchema, SnapshotSchema, VerifyAnswerSchema, VerifySchema
} from '../schemas/test-kit.js'
import { applyClockChange, clockBody, readClockChange } from '../test-kit/clock.js'
import { outsideScope, readDocument, refundIdTaken, snapshotDocument } from '../test-kit/snapshot.js'
import { createVerifier, MAX_WAITING, readVerify } from '../test-kit/verify.js'

interface TestKitOptions {
  checkToken?: TokenCheck
  guard: AdminGuardOptions
  /** SNAPSHOT_MAX_BYTES: the restore's own body limit (an export of any size the database holds restores) */
  snapshotMaxBytes: number
}

const TAGS = ['admin']
const HAR_HEADERS = { 'content-disposition': 'attachment; filename="piriod-mock.har"' }

const testKitRoutes: FastifyPluginAsync<TestKitOptions> = async (app, opts) => {
  app.addHook('onRequest', adminGuard(opts.guard))
  const guarded = opts.checkToken === undefined ? {} : { checkToken: opts.checkToken }

  view(app, '/requests', {
    ...guarded,
    formats: ['har'],
    endpoints: [
      endpoint({
        methods: ['GET'],
        scoping: 'scope',
        schema: {
          tags: TAGS,
          summary: 'The journal of requests to the emulated API, newest first, a page at a time; with ?format=har, all of it ' +
            '(or its newest `limit` entries) as one HAR 1.2 document, oldest first',
          headers: ScopeHeaders,
          querystring: JournalQuery,
          response: { 200: Type.Union([JournalPageSchema, Type.Object({ log: Type.Unknown() })]), 400: ValidationError }
        },
        handler: ({ request, scope }) => {
          const har = requestedFormat(request) === 'har'
          const q = readJournalQuery(request.query, har ? Number.MAX_SAFE_INTEGER : undefined)
          if (q instanceof ApiError) return q
          const entries = app.journal.list(scope, q.filter)
          if (har) return { readable: Readable.from(harDocument(selectedOldestFirst(entries, q), harFromEntry)), headers: HAR_HEADERS }
          return { text: journalPage(entries, q, JOURNAL_PAGE_BYTES, request.url) }
        }
      }),
      endpoint({
        methods: ['DELETE'],
        scoping: 'scope',
        schema: { tags: TAGS, summary: 'Clear the scope\'s journal entries', headers: ScopeHeaders, response: { 200: DeletedSchema } },
        handler: ({ scope }) => ({ value: { deleted: app.journal.clear(scope) } })
      })
    ]
  })

  const verifier = createVerifier(app.journal)
  app.addHook('preClose', (done) => {
    verifier.close()
    done()
  })
  view(app, '/requests/verify', {
    ...guarded,
    endpoints: [endpoint({
      methods: ['POST'],
      scoping: 'scope',
      schema: {
        tags: TAGS,
        summary: 'Assert on the journal: how many requests (of the scope) match, in words, with the closest misses; with wait_ms, ' +
          'wait for them instead of sleeping',
        headers: ScopeHeaders,
        body: VerifySchema,
        response: { 200: VerifyAnswerSchema, 400: ValidationError, 409: Detail, 429: Detail }
      },
      handler: async ({ request, scope }) => {
        // (refused before the body is read: nothing could ever match)
        if (app.journal.size === 0) {
          return detail(409, 'The journal is off (JOURNAL_SIZE=0): there is nothing to verify. Start the emulator with JOURNAL_SIZE above 0.')
        }
        const body = readBody(request)
        if (body instanceof ApiError) return body
        const read = readVerify(body)
        if (read instanceof ApiError) return read
        const verdict = await verifier.verify(scope, read.match, read.count, read.waitMs)
        if (verdict === null) return detail(429, `${MAX_WAITING} verify calls are waiting already; wait for some to answer.`)
        return { value: verdict }
      }
    })]
  })

  view(app, '/faults', {
    ...guarded,
    endpoints: [
      endpoint({
        methods: ['GET'],
        scoping: 'scope',
        schema: { tags: TAGS, summary: 'The fault rules and how often each fired', headers: ScopeHeaders, response: { 200: FaultListSchema } },
        handler: ({ scope }) => {
          const rules = app.faults.list(scope)
          return { value: { count: rules.length, results: rules.map(ruleBody) } }
        }
      }),
      endpoint({
        methods: ['POST'],
        scoping: 'scope',
        schema: {
          tags: TAGS,
          summary: 'Add a fault rule (scoped by the headers sent)',
          headers: ScopeHeaders,
          body: FaultRuleSchema,
          response: { 201: FaultRuleAnswerSchema, 400: ValidationError }
        },
        handler: ({ request, scope }) => {
          const body = readBody(request)
          if (body instanceof ApiError) return body
          const rule = app.faults.add(body, scope)
          return rule instanceof ApiError ? rule : { status: 201, value: ruleBody(rule) }
        }
      }),
      endpoint({
        methods: ['DELETE'],
        scoping: 'scope',
        schema: { tags: TAGS, summary: 'Remove the scope\'s fault rules', headers: ScopeHeaders, response: { 200: DeletedSchema } },
        handler: ({ scope }) => ({ value: { deleted: app.faults.remove(scope) } })
      })
    ]
  })

  view(app, '/faults/:id', {
    ...guarded,
    endpoints: [endpoint({
      methods: ['DELETE'],
      scoping: 'scope',
      schema: { tags: TAGS, summary: 'Remove one fault rule', headers: ScopeHeaders, params: Type.Object({ id: Type.String() }), response: { 200: DeletedSchema, 404: Detail } },
      handler: ({ params, scope }) => {
        const deleted = app.faults.remove(scope, params.id)
        return deleted === 0 ? detail(404, DETAIL.notFound) : { value: { deleted } }
      }
    })]
  })

  view(app, '/snapshot', {
    ...guarded,
    endpoints: [
      endpoint({
        methods: ['GET'],
        scoping: 'scope',
        schema: { tags: TAGS, summary: 'The scope\'s payments with their refunds (the seed file\'s format)', headers: ScopeHeaders, response: { 200: SnapshotAnswerSchema } },
        handler: ({ scope }) => {
          const clock = app.clock.mode === 'fixed' ? () => app.clock.next() : null
          return { doc: snapshotDocument(() => app.snapshots.export(scope), clock) }
        }
      }),
      endpoint({
        methods: ['POST'],
        scoping: 'scope',
        bodyLimit: opts.snapshotMaxBytes,
        config: { bodyLimitSetting: 'SNAPSHOT_MAX_BYTES' },
        schema: {
          tags: TAGS,
          summary: 'Replace the scope\'s payments and refunds with a snapshot, in one transaction',
          headers: ScopeHeaders,
          body: SnapshotSchema,
          response: { 200: RestoredSchema, 400: ValidationError, 413: Detail }
        },
        handler: ({ request, scope }) => {
          const body = readBody(request)
          if (body instanceof ApiError) return body
          const doc = readDocument(body)
          if (!doc.ok) return invalid(doc.errors)
          const outside = outsideScope(scope, doc.payments)
          if (Object.keys(outside).length > 0) return invalid(outside)
          const replaced = app.snapshots.replace(scope, doc.payments)
          if (replaced.kind === 'refund_id_taken') return invalid(refundIdTaken(replaced))
          // the clock continues from the snapshot's time, never going back
          if (doc.clockUs !== null) app.clock.catchUp(doc.clockUs)
          return { value: { deleted: replaced.deleted, imported: replaced.imported } }
        }
      })
    ]
  })

  view(app, '/clock', {
    ...guarded,
    endpoints: [
      endpoint({
        methods: ['GET'],
        scoping: 'none',
        schema: { tags: TAGS, summary: 'The emulator\'s clock: its time and whether it is the system clock or a fixed one', response: { 200: ClockSchema } },
        handler: () => ({ value: clockBody(app.clock) })
      }),
      endpoint({
        methods: ['POST'],
        scoping: 'none',
        schema: {
          tags: TAGS,
          summary: 'Set the clock ({"now"}), move it forward ({"advance_ms"} or {"advance": "PT10M"}), or {"reset": true}',
          body: ClockChangeSchema,
          response: { 200: ClockSchema, 400: ValidationError }
        },
        handler: ({ request }) => {
          const body = readBody(request)
          if (body instanceof ApiError) return body
          const change = readClockChange(body)
          if (change instanceof ApiError) return change
          return applyClockChange(app.clock, change) ?? { value: clockBody(app.clock) }
        }
      })
    ]
  })

  // the document itself is served without ADMIN_TOKEN
  view(app, '/openapi.json', {
    hide: true,
    endpoints: [endpoint({
      methods: ['GET', 'HEAD'],
      scoping: 'none',
      schema: { summary: 'this document', response: {} },
      handler: () => ({ value: app.swagger() })
    })]
  })
}

export default testKitRoutes
