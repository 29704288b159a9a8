// The one place where error bodies are made. The emulated API answers like DRF: `{"detail": "…"}` for errors
// that are not about fields, `{"field": ["…"]}` for validation errors (rest_framework/views.py exception_handler).
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

export type ValidationErrors = Record<string, string[]>
export type ErrorBody = { detail: string } | ValidationErrors

export class ApiError extends Error {
  readonly statusCode: number
  readonly body: ErrorBody
  readonly headers: Readonly<Record<string, string>>

  constructor (statusCode: number, body: ErrorBody, headers: Record<string, string> = {}) {
    // An ApiError is an answer, not a fault: capturing its stack trace was the most expensive part of a 401.
    const limit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super('detail' in body && typeof body.detail === 'string' ? body.detail : 'validation failed')
    Error.stackTraceLimit = limit
    this.name = 'ApiError'
    this.statusCode = statusCode
    this.body = body
    this.headers = headers
  }
}

export const DETAIL = {
  notAuthenticated: 'Authentication credentials were not provided.',
  noCredentials: 'Invalid token header. No credentials provided.',
  tokenSpaces: 'Invalid token header. Token string should not contain spaces.',
  tokenCharacters: 'Invalid token header. Token string should not contain invalid characters.',
  invalidToken: 'Invalid token.',
  liveToken: 'piriod-mock refuses live credentials: this token looks like a live key (sk_live_…). ' +
    'Use a test token, or set ALLOW_LIVE_TOKENS=true.',
  permissionDenied: 'You do not have permission to perform this action.',
  notFound: 'Not found.',
  invalidPage: 'Invalid page.',
  notAcceptable: 'Could not satisfy the request Accept header.',
  methodNotAllowed: (method: string) => `Method "${method}" not allowed.`,
  serverError: 'A server error occurred.'
} as const

export const detail = (status: number, text: string, headers?: Record<string, string>): ApiError =>
  new ApiError(status, { detail: text }, headers)

export const invalid = (errors: ValidationErrors): ApiError => new ApiError(400, errors)

export const nonFieldError = (message: string): ApiError => invalid({ non_field_errors: [message] })

export const notAuthenticated = (text: string): ApiError => detail(401, text, { 'www-authenticate': 'Token' })

// Fastify's own 4xx errors, in the emulated API's words.
const FRAMEWORK_DETAIL: Record<string, (request: FastifyRequest) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: request => {
    // a route with a limit of its own says which setting raises it
    const setting = request.routeOptions.config.bodyLimitSetting
    return `Request body is larger than the ${request.routeOptions.bodyLimit} bytes allowed${setting === undefined ? '' : ` (${setting})`}.`
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'Request body size did not match Content-Length.'
}

function send (reply: FastifyReply, status: number, body: ErrorBody, headers: Readonly<Record<string, string>> = {}): FastifyReply {
  return reply.code(status).headers(headers).type('application/json').send(JSON.stringify(body))
}

/** Answers with an ApiError directly: expected answers (401, 400…) skip Fastify's error handling. */
export function sendError (reply: FastifyReply, err: ApiError): FastifyReply {
  return send(reply, err.statusCode, err.body, err.headers)
}

// What Node's HTTP parser refuses before Fastify sees a request, in the emulated API's words.
const CLIENT_ERRORS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request headers are larger than the 16384 bytes allowed.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'The request was not received in time.']
}
const MALFORMED: [number, string] = [400, 'Malformed HTTP request.']

// SQLite errors a client can do nothing about but wait or fix the disk: 503, never a 500.
const UNAVAILABLE: Record<string, string> = {
  SQLITE_BUSY: 'The database is locked by another process; try again.',
  SQLITE_LOCKED: 'The database is locked by another process; try again.',
  SQLITE_FULL: 'The database is full: it holds MAX_DB_BYTES, or its disk is full; nothing was written. ' +
    'Delete data (POST /__admin/reset) or raise MAX_DB_BYTES.',
  SQLITE_READONLY: 'The database is read-only; nothing was written.',
  SQLITE_IOERR: 'The database could not be written; nothing was written.',
  SQLITE_CANTOPEN: 'The database file cannot be opened; nothing was written.',
  SQLITE_CORRUPT: 'The database file is corrupt; nothing was written.',
  SQLITE_NOTADB: 'The database file is not an SQLite database any more; nothing was written.'
}

/** The 503 for an SQLite error that says the database is unavailable, or undefined for any other error. */
export function unavailableError (err: unknown): ApiError | undefined {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return undefined
  // extended codes (SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED) share their primary code's answer
  const text = UNAVAILABLE[code.split('_', 2).join('_')]
  return text === undefined ? undefined : detail(503, text)
}

/**
 * Node's clientError: a request the HTTP parser refused (oversized headers, a bad Content-Length or chunk) or one
 * that did not arrive in time. Answered with a JSON detail and the connection closed.
 */
export function handleClientError (err: NodeJS.ErrnoException, socket: Duplex): void {
  // a client that reset the connection, or one that cannot be written to any more, hears nothing
  if (err.code !== 'ECONNRESET' && socket.writable) {
    const [status, text] = CLIENT_ERRORS[err.code as string] ?? MALFORMED
    const body = JSON.stringify({ detail: text })
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] as string}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy()
}

/**
 * Errors Fastify raises while routing: a malformed URL (FST_ERR_BAD_URL) or a path parameter over 100 characters
 * (FST_ERR_MAX_PARAM_LENGTH); there are no async route constraints to fail. No route hooks run for these, so the
 * body goes out as bytes: a string would get Fastify's `; charset=utf-8` appended.
 */
export function handleFrameworkError (err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, text] = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? [414, 'Request path segment too long.']
    : [400, 'Malformed request path.']
  reply.code(status).header('content-type', 'application/json').send(Buffer.from(JSON.stringify({ detail: text })))
}

/** Fastify's error handler: what a handler threw (handlers answer ApiErrors; they do not throw them). */
export function handleError (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const unavailable = unavailableError(err)
  if (unavailable !== undefined) {
    request.log.warn({ err }, 'database unavailable')
    sendError(reply, unavailable)
    return
  }
  const status = err.statusCode ?? 500
  if (status >= 400 && status < 500) {
    send(reply, status, { detail: FRAMEWORK_DETAIL[err.code]?.(request) ?? err.message })
    return
  }
  request.log.error({ err }, 'unhandled error')
  send(reply, 500, { detail: DETAIL.serverError })
}
