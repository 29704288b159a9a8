// What happens around every request to the emulated API (everything but /__admin): fault rules fire, the
// answer is delayed (LATENCY_MS, delay_ms), and the request goes into the journal.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { pyStrip } from '../drf/python.js'
import { header } from '../drf/view.js'
import type { Clock } from '../clock.js'
import type { FaultRule, Faults } from './faults.js'
import { captureBytes, captureHeader, captureText, type Journal } from './journal.js'
import { redactHeader, redactQuery } from '../redact.js'
import { testModeOf, type Scope } from '../partition.js'

/**
 * Whether a request is for the admin API, decided by the route it matched — never by the raw URL, which the
 * router decodes first (`/%5F%5Fadmin/reset` is routed to /__admin/reset). Unmatched URLs are the emulated API's
 * 404s.
 */
export const isAdmin = (request: FastifyRequest): boolean => request.routeOptions.url?.startsWith('/__admin') === true

/** The partition a request names, as far as its headers go (null where a header is missing or invalid). */
function requestScope (request: FastifyRequest): Scope {
  const ws = header(request, 'x-simple-workspace')
  return {
    workspace: ws === undefined || pyStrip(ws) === '' ? null : ws,
    testMode: testModeOf(header(request, 'x-piriod-test-mode'))
  }
}

function pathOf (url: string): [string, string | null] {
  const q = url.indexOf('?')
  return q < 0 ? [url, null] : [url.slice(0, q), url.slice(q + 1)]
}

type Render = (request: FastifyRequest, reply: FastifyReply, payload: unknown) => unknown

export interface EmulatedHooksOptions {
  journal: Journal
  clock: Clock
  faults: Faults
  latencyMs: number
  render: Render
}

export function emulatedHooks ({ journal, faults, clock, latencyMs, render }: EmulatedHooksOptions) {
  function record (request: FastifyRequest, reply: FastifyReply, status: number | null, payload: unknown, extraMs: number): void {
    if (!journal.recording) return
    const [path, query] = pathOf(request.url)
    const scope = requestScope(request)
    const headers: Record<string, string> = {}
    const raw = request.headers
    for (const name in raw) {
      // Node joins every repeated request header into one string but set-cookie, which it keeps as a list
      headers[name] = captureHeader(redactHeader(name, raw[name] as string | string[]))
    }
    if (request.contentTypeHeader !== undefined) headers['content-type'] = captureHeader(request.contentTypeHeader)
    const rule = request.fault
    journal.add({
      time: Math.floor(request.startedUs / 1000),
      method: request.method,
      path,
      query: query === null ? null : redactQuery(query),
      headers,
      workspace: scope.workspace,
      testMode: scope.testMode,
      requestBody: Buffer.isBuffer(request.body) ? captureBytes(request.body) : null,
      status,
      responseBody: typeof payload === 'string' ? captureText(payload) : null,
      durationMs: reply.elapsedTime + extraMs,
      fault: rule === null ? null : { rule: rule.id, action: rule.action as Record<string, unknown> },
      duplicateKey: request.duplicateKey
    })
  }

  /** onRequest: a fault that answers in place of the API (status, drop_connection) fires here. */
  function onRequest (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    request.startedUs = clock.current()
    if (faults.count === 0 || isAdmin(request)) return done()
    const rule = faults.fire(request.method, pathOf(request.url)[0], requestScope(request))
    if (rule === null) return done()
    request.fault = rule
    const { action } = rule
    if (action.after_commit === true || (action.status === undefined && action.drop_connection === undefined)) return done()
    setTimeout(() => {
      if (action.drop_connection === true) {
        record(request, reply, null, null, 0)
        reply.hijack()
        request.raw.socket.destroy()
        return
      }
      reply.code(action.status as number).type('application/json').headers(action.headers ?? {}).send(rule.answer)
    }, action.delay_ms ?? 0)
  }

  /** onSend: after-commit faults, then rendering, delays and the journal. */
  function onSend (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
    const rule = request.fault
    const action = rule?.action
    if (action?.after_commit === true && action.drop_connection === true) {
      record(request, reply, null, null, 0)
      request.raw.socket.destroy()
      return done(null, payload)
    }
    let out = payload
    if (action?.after_commit === true) {
      reply.code(action.status as number).type('application/json').headers(action.headers ?? {})
      out = (rule as FaultRule).answer
    }
    out = render(request, reply, out)
    // a fault that answered in onRequest has had its delay already
    const faultDelay = action?.delay_ms !== undefined && (action.after_commit === true || action.status === undefined) ? action.delay_ms : 0
    const delay = latencyMs + faultDelay
    record(request, reply, reply.statusCode, out, delay)
    if (delay === 0) return done(null, out)
    setTimeout(() => done(null, out), delay)
  }

  return { onRequest, onSend }
}
