// The server's pino options: its level, the request serializer (the URL with credentials in the query masked,
// src/redact.ts) and, should a header ever be logged, Authorization redacted.
import type { FastifyRequest, FastifyServerOptions } from 'fastify'
import { redactUrl } from './redact.js'

/** Fastify's default request serializer, with the query's credentials masked. */
function serializeRequest (request: FastifyRequest) {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort as number
  }
}

export function loggerOptions (level: string): FastifyServerOptions['logger'] {
  return {
    level,
    serializers: { req: serializeRequest },
    redact: {
      paths: ['req.headers.authorization', 'request.headers.authorization', 'req.headers.cookie', 'request.headers.cookie'],
      censor: '[redacted]'
    }
  }
}
