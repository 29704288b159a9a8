// DRF's request body handling (Request._parse + JSONParser): empty bodies are `{}` whatever their type, other
// bodies need a Content-Type that matches application/json, are decoded with the charset the header names, then
// parsed. Decode errors carry Python's wording; JSON syntax errors carry JavaScript's (README, Fidelity).
import { isUtf8 } from 'node:buffer'

export type ParsedBody = { ok: true, data: unknown } | { ok: false, status: 400 | 415, detail: string }

/**
 * Python's json module recurses per nesting level and DRF answers 500 once it runs out of stack (about 960
 * levels under gunicorn). Deeper documents get a 400 here; the limit stays below DRF's so that whatever is
 * refused here would have crashed DRF.
 */
export const MAX_NESTING_DEPTH = 900

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

type Codec = 'utf-8' | 'ascii' | 'latin-1'

// encodings.aliases for the codecs supported here; other charsets are read as UTF-8 (README, Fidelity).
const CODECS = new Map<string, Codec>()
for (const name of ['utf_8', 'u8', 'utf', 'utf8', 'utf8_ucs2', 'utf8_ucs4', 'cp65001']) CODECS.set(name, 'utf-8')
for (const name of ['ascii', '646', 'ansi_x3.4_1968', 'ansi_x3_4_1968', 'ansi_x3.4_1986', 'cp367', 'csascii',
  'ibm367', 'iso646_us', 'iso_646.irv_1991', 'iso_ir_6', 'us', 'us_ascii']) CODECS.set(name, 'ascii')
for (const name of ['latin_1', '8859', 'cp819', 'csisolatin1', 'ibm819', 'iso8859', 'iso8859_1', 'iso_8859_1',
  'iso_8859_1_1987', 'iso_ir_100', 'l1', 'latin', 'latin1']) CODECS.set(name, 'latin-1')

/**
 * encodings.normalize_encoding() after codecs.lookup()'s lower-casing: ASCII letters, digits and `.` are kept,
 * every run of anything else becomes one `_`, and runs at either end are dropped. One pass over the name.
 */
function normalizeEncoding (charset: string): string {
  let out = ''
  let punct = false
  for (const c of charset.toLowerCase()) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '.') {
      if (punct && out !== '') out += '_'
      out += c
      punct = false
    } else {
      punct = true
    }
  }
  return out
}

function codecFor (charset: string | undefined): Codec {
  if (charset === undefined) return 'utf-8'
  const name = normalizeEncoding(charset)
  return CODECS.get(name) ?? CODECS.get(name.replace(/\./g, '_')) ?? 'utf-8'
}

function byteAt (buf: Buffer, i: number): string {
  return `0x${(buf[i] as number).toString(16).padStart(2, '0')}`
}

function decodeError (codec: string, buf: Buffer, start: number, end: number, reason: string): string {
  const where = end - start === 1
    ? `byte ${byteAt(buf, start)} in position ${start}`
    : `bytes in position ${start}-${end - 1}`
  return `'${codec}' codec can't decode ${where}: ${reason}`
}

const isContinuation = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80

/**
 * The first error CPython's UTF-8 decoder reports (Objects/stringlib/codecs.h), or the length of the valid
 * prefix when the input only ends inside a sequence: DRF reads the body through a StreamReader, which keeps an
 * unfinished sequence back instead of failing, so those trailing bytes are silently dropped.
 */
export function utf8Problem (buf: Buffer): { error: string } | { validLength: number } {
  for (let i = 0; i < buf.length;) {
    const b = buf[i] as number
    if (b < 0x80) { i++; continue }
    let need: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    } else {
      return { error: decodeError('utf-8', buf, i, i + 1, 'invalid start byte') }
    }
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k]
      if (c === undefined) return { validLength: i }
      const inRange = k === 1 ? c >= lo && c <= hi : isContinuation(c)
      if (!inRange) return { error: decodeError('utf-8', buf, i, i + k, 'invalid continuation byte') }
    }
    i += need + 1
  }
  return { validLength: buf.length }
}

function decode (buf: Buffer, codec: Codec): { ok: true, text: string } | { ok: false, detail: string } {
  if (codec === 'latin-1') return { ok: true, text: buf.toString('latin1') }
  if (codec === 'ascii') {
    const bad = buf.findIndex(b => b > 0x7f)
    if (bad < 0) return { ok: true, text: buf.toString('latin1') }
    return { ok: false, detail: decodeError('ascii', buf, bad, bad + 1, 'ordinal not in range(128)') }
  }
  if (isUtf8(buf)) return { ok: true, text: buf.toString('utf8') }
  const problem = utf8Problem(buf)
  if ('error' in problem) return { ok: false, detail: problem.error }
  return { ok: true, text: buf.subarray(0, problem.validLength).toString('utf8') }
}

/** How deeply arrays and objects nest, ignoring brackets inside strings. */
function nestingDepth (text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return max
}

const EMPTY: ParsedBody = Object.freeze({ ok: true, data: Object.freeze({}) }) as ParsedBody

export function parseJsonBody (body: Buffer | undefined, contentType: string | undefined): ParsedBody {
  if (body === undefined || body.length === 0) return EMPTY
  let codec: Codec = 'utf-8'
  if (contentType !== 'application/json') {
    const media = parseMediaType(contentType ?? '')
    if (!matchesJson(media.type)) {
      return { ok: false, status: 415, detail: `Unsupported media type "${contentType ?? ''}" in request.` }
    }
    codec = codecFor(media.params.get('charset'))
  }
  const decoded = decode(body, codec)
  if (!decoded.ok) return { ok: false, status: 400, detail: `JSON parse error - ${decoded.detail}` }
  const text = decoded.text
  if (text.length > 2 * MAX_NESTING_DEPTH && nestingDepth(text) > MAX_NESTING_DEPTH) {
    return { ok: false, status: 400, detail: `JSON parse error - nesting deeper than ${MAX_NESTING_DEPTH} levels` }
  }
  try {
    return { ok: true, data: JSON.parse(text) }
  } catch (err) {
    return { ok: false, status: 400, detail: `JSON parse error - ${(err as Error).message}` }
  }
}
