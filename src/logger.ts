// The server's pino options: its level, the request serializer (the URL with credentials in the query masked,
// src/redact.ts), Authorization redacted should a header ever be logged, and the format: JSON lines, or for a
// person at a terminal one readable line per event (pino-pretty, loaded only then).
import type { FastifyRequest, FastifyServerOptions } from 'fastify'
import type { LogFormat } from './config.js'
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

/** LOG_FORMAT=auto: readable lines when stdout is a terminal, JSON everywhere else (pipes, containers, CI). */
export const isPretty = (format: LogFormat, stdoutIsTerminal: boolean): boolean =>
  format === 'pretty' || (format === 'auto' && stdoutIsTerminal)

interface LoggedRequest { req?: { method: string, url: string }, res?: { statusCode: number }, responseTime?: number, msg?: string }

/** A request as one line: `POST /refunds/ 201 3.2 ms`; any other event: its message. */
export function prettyMessage (log: LoggedRequest): string {
  if (log.req === undefined) return log.msg ?? ''
  return `${log.req.method} ${log.req.url} ${log.res?.statusCode ?? '-'} ${(log.responseTime ?? 0).toFixed(1)} ms`
}

export async function loggerOptions (level: string, pretty = false): Promise<NonNullable<FastifyServerOptions['logger']>> {
  const options = {
    level,
    serializers: { req: serializeRequest },
    redact: {
      paths: ['req.headers.authorization', 'request.headers.authorization', 'req.headers.cookie', 'request.headers.cookie'],
      censor: '[redacted]'
    }
  }
  if (!pretty) return options
  const { default: prettyStream } = await import('pino-pretty')
  const stream = prettyStream({
    sync: true, // a line is on the terminal before the next event, and nothing is lost on exit
    colorize: process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,req,res,responseTime',
    singleLine: true,
    messageFormat: log => prettyMessage(log as LoggedRequest)
  })
  return { ...options, stream }
}
