// What happens around every request to the emulated API (everything but /__admin): fault rules fire, the
// answer is delayed (LATENCY_MS, delay_ms), and the request goes into the journal.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { pyStrip } from '../python/python.js'
import { header } from '../drf/view.js'
import type { Clock } from '../clock.js'
import { faultRecord, type Faults } from './faults.js'
import { RenderedStream } from '../drf/render.js'
import { captureBytes, captureHeader, captureText, type Captured } from './journal-capture.js'
import type { Journal } from './journal.js'
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

/** A response body as the journal keeps it: a string as answered, the start and size of a streamed one, or nothing. */
function capturedPayload (payload: unknown): Captured | null {
  if (typeof payload === 'string') return captureText(payload)
  return payload instanceof RenderedStream ? captureText(payload.head(), payload.bytes, true) : null
}

/** The answer a fault hid: the handler's own (a 201 with the stored refund, the 400 that stored nothing), as text. */
interface Hidden { status: number, payload: string }

export function emulatedHooks ({ journal, faults, clock, latencyMs, render }: EmulatedHooksOptions) {
  function record (request: FastifyRequest, reply: FastifyReply, status: number | null, payload: unknown, extraMs: number, hidden: Hidden | null = null): void {
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
    const effect = request.faults
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
      responseBody: capturedPayload(payload),
      hiddenResponse: hidden === null ? null : { status: hidden.status, body: captureText(hidden.payload) },
      durationMs: reply.elapsedTime + extraMs,
      fault: effect === null ? null : faultRecord(effect),
      duplicateKey: request.duplicateKey
    })
  }

  /** onRequest: the rules fire; one that answers in place of the API (status, drop_connection) answers here. */
  function onRequest (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
    request.startedUs = clock.current()
    if (faults.count === 0 || isAdmin(request)) return done()
    const effect = faults.fire(request.method, pathOf(request.url)[0], requestScope(request))
    if (effect === null) return done()
    request.faults = effect
    const decider = effect.decider
    if (decider === null || decider.action.after_commit === true) return done()
    setTimeout(() => {
      if (decider.action.drop_connection === true) {
        record(request, reply, null, null, 0)
        reply.hijack()
        reply.raw.destroy()
        return
      }
      reply.code(decider.action.status as number).type('application/json').headers(decider.action.headers ?? {}).send(decider.answer)
    }, effect.delayMs)
  }

  /** onSend: after-commit faults (the real answer kept in the journal), then rendering, delays and the journal. */
  function onSend (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
    const effect = request.faults
    const decider = effect?.decider ?? null
    const afterCommit = decider?.action.after_commit === true
    // (the emulated API's handlers answer with text; it is rendered only when it is what the client gets)
    const real: Hidden | null = afterCommit ? { status: reply.statusCode, payload: payload as string } : null
    if (afterCommit && decider?.action.drop_connection === true) {
      record(request, reply, null, null, 0, real)
      reply.raw.destroy()
      return done(null, payload)
    }
    let out = payload
    if (afterCommit) {
      reply.code(decider?.action.status as number).type('application/json').headers(decider?.action.headers ?? {})
      out = decider?.answer
    }
    out = render(request, reply, out)
    // a fault that answered in onRequest has had its delay already
    const faultDelay = effect !== null && (decider === null || afterCommit) ? effect.delayMs : 0
    const delay = latencyMs + faultDelay
    record(request, reply, reply.statusCode, out, delay, real)
    if (delay === 0) return done(null, out)
    setTimeout(() => done(null, out), delay)
  }

  return { onRequest, onSend }
}
