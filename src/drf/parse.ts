// DRF's request body handling (Request._parse + JSONParser): empty bodies are `{}` whatever their type, other
// bodies need a Content-Type that matches application/json, are decoded with the charset the header names
// (charsets.ts), then read by Python's json (json.ts). Every error carries Python's text.
import { codecFor, decode } from '../python/charsets.js'
import { JsonError, loads, type PyValue } from '../python/json.js'

export type ParsedBody = { ok: true, data: PyValue } | { ok: false, status: 400 | 415, detail: string }

const UTF8 = codecFor(undefined)

interface MediaType { type: string, params: Map<string, string> }

/** Django's parse_header(): the lower-cased type before the first `;`, then `key=value` parameters. */
export function parseMediaType (header: string): MediaType {
  const [type = '', ...rest] = header.split(';')
  const params = new Map<string, string>()
  for (const part of rest) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const value = part.slice(eq + 1).trim()
    const quoted = /^"(.*)"$/s.exec(value)
    params.set(part.slice(0, eq).trim().toLowerCase(), quoted === null ? value : quoted[1] as string)
  }
  return { type: type.trim().toLowerCase(), params }
}

/** DRF's _MediaType.match() of `application/json` against a request's type: wildcards on either side match. */
export function matchesJson (type: string): boolean {
  const slash = type.indexOf('/')
  const main = slash < 0 ? type : type.slice(0, slash)
  const sub = slash < 0 ? '' : type.slice(slash + 1)
  return (main === 'application' || main === '*') && (sub === 'json' || sub === '*')
}

const EMPTY: ParsedBody = Object.freeze({ ok: true, data: new Map() }) as ParsedBody

export function parseJsonBody (body: Buffer | undefined, contentType: string | undefined): ParsedBody {
  if (body === undefined || body.length === 0) return EMPTY
  let codec = UTF8
  if (contentType !== 'application/json') {
    const media = parseMediaType(contentType ?? '')
    if (!matchesJson(media.type)) {
      return { ok: false, status: 415, detail: `Unsupported media type "${contentType ?? ''}" in request.` }
    }
    codec = codecFor(media.params.get('charset'))
  }
  const decoded = decode(body, codec)
  if (!decoded.ok) {
    if ('unsupported' in decoded) {
      return {
        ok: false,
        status: 415,
        // (only a charset parameter names such a codec: there is a Content-Type)
        detail: `Unsupported media type "${contentType as string}" in request: piriod-mock does not decode the ${decoded.unsupported} ` +
          'charset (a deliberate difference from DRF; see its README, Fidelity). Send UTF-8.'
      }
    }
    return { ok: false, status: 400, detail: `JSON parse error - ${decoded.detail}` }
  }
  try {
    return { ok: true, data: loads(decoded.text) }
  } catch (err) {
    // a JsonError: loads raises nothing else
    return { ok: false, status: 400, detail: `JSON parse error - ${(err as JsonError).message}` }
  }
}
