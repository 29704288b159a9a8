// Sending one probe: exactly its bytes and headers, to the one URL it names (redirects are answers, never
// followed), with a timeout, reading at most MAX_ANSWER_BYTES of the answer.
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { COMPARED_HEADERS, type Answer } from './compare.js'
import type { Probe } from './probes.js'

/** No answer to a probe is near this (DRF's are under 2 KB); a larger one is cut there, and then differs. */
export const MAX_ANSWER_BYTES = 1024 * 1024

/** The target could not be asked: nothing came back (refused, reset, timed out, not HTTP). */
export class Unreachable extends Error {}

/** The base URL as a directory: `https://api.example.com/v1` → `https://api.example.com/v1/`. */
export const baseOf = (url: string): URL => {
  const base = new URL(url)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  base.search = ''
  base.hash = ''
  return base
}

/** A Location as the base-relative path it names (`/v1/refunds/` on base /v1/ → `<base>refunds/`), so targets
 * under different prefixes compare; one pointing elsewhere is kept whole. */
function relativeLocation (location: string, requested: URL, base: URL): string {
  let resolved: URL
  try {
    resolved = new URL(location, requested)
  } catch {
    return location
  }
  return resolved.href.startsWith(base.href) ? `<base>${resolved.href.slice(base.href.length)}` : location
}

export function send (base: URL, probe: Probe, timeoutMs: number): Promise<Answer> {
  const url = new URL(probe.path, base)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = request(url, { method: probe.method, headers: probe.headers, agent: false, timeout: timeoutMs }, res => {
      const chunks: Buffer[] = []
      let bytes = 0
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, Math.max(0, MAX_ANSWER_BYTES - bytes)))
        bytes += chunk.length
        if (bytes >= MAX_ANSWER_BYTES) res.destroy()
      })
      const done = (): void => {
        const headers: Record<string, string> = {}
        for (const name of COMPARED_HEADERS) {
          const value = res.headers[name]
          if (typeof value === 'string') headers[name] = name === 'location' ? relativeLocation(value, url, base) : value
        }
        resolve({ status: res.statusCode as number, headers, body: Buffer.concat(chunks) })
      }
      res.on('end', done)
      res.on('close', done) // cut at MAX_ANSWER_BYTES (a second resolve is a no-op)
    })
    req.on('timeout', () => { req.destroy(new Unreachable(`no answer within ${timeoutMs} ms`)) })
    req.on('error', err => { reject(err instanceof Unreachable ? err : new Unreachable(err.message)) })
    req.end(probe.body)
  })
}
