// The logs, decided in one place for the process and for the programmatic API: the level, the request serializer
// (the URL with credentials in the query masked, src/redact.ts), Authorization redacted should a header ever be
// logged, and the format — JSON lines, or for a person at a terminal one readable line per event (pino-pretty,
// loaded only then). Both write synchronously to one destination on stdout, which the start block goes through too:
// lines can never reorder, and nothing is lost on exit.
import pino from 'pino'
import type { FastifyRequest, FastifyServerOptions } from 'fastify'
import type { LogFormat, LogLevel } from './config.js'
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

export interface Logging {
  /** Fastify's `logger` option: false when LOG_LEVEL is silent */
  logger: NonNullable<FastifyServerOptions['logger']>
  /** whether the lines are for a person (pino-pretty), not JSON */
  pretty: boolean
  /** writes text to the logs' destination, in order with the log lines (the start block) */
  write: (text: string) => void
}

/** The logs for LOG_LEVEL and LOG_FORMAT, with stdout a terminal or not. */
export async function createLogging (level: LogLevel, format: LogFormat, stdoutIsTerminal: boolean): Promise<Logging> {
  const pretty = isPretty(format, stdoutIsTerminal)
  const destination = pino.destination({ dest: 1, sync: true })
  const write = (text: string): void => { destination.write(text) }
  if (level === 'silent') return { logger: false, pretty, write }
  const options = {
    level,
    serializers: { req: serializeRequest },
    redact: {
      paths: ['req.headers.authorization', 'request.headers.authorization', 'req.headers.cookie', 'request.headers.cookie'],
      censor: '[redacted]'
    }
  }
  if (!pretty) return { logger: { ...options, stream: destination }, pretty, write }
  const { default: prettyStream } = await import('pino-pretty')
  const stream = prettyStream({
    destination,
    sync: true,
    colorize: stdoutIsTerminal,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,reqId,req,res,responseTime',
    singleLine: true,
    messageFormat: log => prettyMessage(log as LoggedRequest)
  })
  return { logger: { ...options, stream }, pretty, write }
}
