// DRF's JSONRenderer: the Content-Type is exactly `application/json`, U+2028/U+2029 are escaped, and an
// `Accept: application/json; indent=N` answer is pretty-printed the way Python's json.dumps(indent=N) does it
// (numbers and key order as they were: the answer is read back with json.ts, not JSON.parse).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { dumps, loads } from './json.js'

const LINE_SEPARATORS = /[\u2028\u2029]/g

/** The onSend step every JSON answer goes through. */
export function renderJson (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const type = reply.getHeader('content-type')
  if (typeof payload !== 'string' || typeof type !== 'string' || !type.startsWith('application/json')) return payload
  reply.header('content-type', 'application/json')
  let out = payload
  if (request.indent !== null && out !== '') out = dumps(loads(out), request.indent)
  LINE_SEPARATORS.lastIndex = 0
  if (LINE_SEPARATORS.test(out)) out = out.replace(LINE_SEPARATORS, c => c === '\u2028' ? '\\u2028' : '\\u2029')
  return out
}

/** Answers with JSON text rendered already (money and metadata written as DRF writes them). */
export function sendJson (reply: FastifyReply, text: string, status = 200): FastifyReply {
  return reply.code(status).type('application/json').send(text)
}
