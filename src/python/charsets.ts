// The charset of a request body, as Django and DRF apply it: Django keeps `charset=` when codecs.lookup() knows
// it (and UTF-8 otherwise), and DRF's JSONParser reads the body through codecs.getreader(charset), whose
// StreamReader decodes everything at once but keeps an unfinished sequence at the end back, unread. Decoding
// errors carry Python's UnicodeDecodeError text. The names and tables come from CPython (charsets-data.ts).
import { isUtf8 } from 'node:buffer'
import { ALIASES, CODECS, ESCAPES, TABLES, type CodecKind } from './charsets-data.js'

export interface Codec {
  /** the codec module (`utf_16_le`) */
  module: string
  /** its name, as codecs.lookup() gives it */
  name: string
  kind: CodecKind
}

const UTF8: Codec = { module: 'utf_8', name: 'utf-8', kind: 'utf_8' }

/**
 * _Py_normalize_encoding: ASCII letters and digits (lower-cased) and `.` are kept, every run of anything else
 * becomes one `_`, and a run at either end is dropped. One pass over the name.
 */
function normalizeEncoding (charset: string): string {
  let out = ''
  let punct = false
  for (let i = 0; i < charset.length; i++) {
    let c = charset.charCodeAt(i)
    if (c >= 0x41 && c <= 0x5a) c += 0x20
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2e) {
      if (punct && out !== '') out += '_'
      out += String.fromCharCode(c)
      punct = false
    } else {
      punct = true
    }
  }
  return out
}

/** codecs.lookup(charset) as encodings.search_function answers it, or null (LookupError). */
export function lookupCodec (charset: string): Codec | null {
  const name = normalizeEncoding(charset)
  const aliased = ALIASES[name] ?? ALIASES[name.replaceAll('.', '_')]
  for (const module of [aliased, name]) {
    if (module === undefined || module === '' || module.includes('.')) continue
    const codec = CODECS[module]
    if (codec !== undefined) return { module, ...codec }
  }
  return null
}

/** The codec a body is read with: its Content-Type's charset when Python knows it, else UTF-8. */
export function codecFor (charset: string | undefined): Codec {
  return charset === undefined ? UTF8 : lookupCodec(charset) ?? UTF8
}

export type Decoded = { ok: true, text: string } | { ok: false, detail: string } | { ok: false, unsupported: string }

function byteAt (buf: Buffer, i: number): string {
  return `0x${(buf[i] as number).toString(16).padStart(2, '0')}`
}

/** UnicodeDecodeError's text. */
function decodeError (codec: string, buf: Buffer, start: number, end: number, reason: string): Decoded {
  const where = end - start === 1
    ? `byte ${byteAt(buf, start)} in position ${start}`
    : `bytes in position ${start}-${end - 1}`
  return { ok: false, detail: `'${codec}' codec can't decode ${where}: ${reason}` }
}

const isContinuation = (b: number | undefined): boolean => b !== undefined && (b & 0xc0) === 0x80

/**
 * The first error CPython's UTF-8 decoder reports (Objects/stringlib/codecs.h), or the length of the valid
 * prefix when the input only ends inside a sequence (kept back by the StreamReader, so dropped).
 */
export function utf8Problem (buf: Buffer): { error: Decoded } | { validLength: number } {
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

function decodeUtf8 (buf: Buffer): Decoded {
  if (isUtf8(buf)) return { ok: true, text: buf.toString('utf8') }
  const problem = utf8Problem(buf)
  if ('error' in problem) return problem.error
  return { ok: true, text: buf.toString('utf8', 0, problem.validLength) }
}

/**
 * utf_16_le/be_decode with final=False: pairs of bytes, surrogates paired; an odd byte or a high surrogate at
 * the end is kept back. `offset`: where `data` starts in the body (error positions count from the body's start).
 */
function decodeUtf16 (buf: Buffer, offset: number, littleEndian: boolean, codec: string): Decoded {
  const units = (buf.length - offset) >> 1
  const unitAt = (k: number): number => {
    const i = offset + 2 * k
    return littleEndian ? (buf[i] as number) | ((buf[i + 1] as number) << 8) : ((buf[i] as number) << 8) | (buf[i + 1] as number)
  }
  let text = ''
  for (let k = 0; k < units; k++) {
    const u = unitAt(k)
    const at = offset + 2 * k
    if (u < 0xd800 || u > 0xdfff) { text += String.fromCharCode(u); continue }
    if (u >= 0xdc00) return decodeError(codec, buf, at, at + 2, 'illegal encoding')
    if (k + 1 === units) break // a high surrogate at the end: kept back
    const low = unitAt(k + 1)
    if (low < 0xdc00 || low > 0xdfff) return decodeError(codec, buf, at, at + 2, 'illegal UTF-16 surrogate')
    text += String.fromCharCode(u, low)
    k++
  }
  return { ok: true, text }
}

/** utf_32_le/be_decode with final=False: groups of four bytes; an unfinished group at the end is kept back. */
function decodeUtf32 (buf: Buffer, offset: number, littleEndian: boolean, codec: string): Decoded {
  let text = ''
  for (let at = offset; at + 4 <= buf.length; at += 4) {
    const cp = littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at)
    if (cp > 0x10ffff) return decodeError(codec, buf, at, at + 4, 'code point not in range(0x110000)')
    if (cp >= 0xd800 && cp <= 0xdfff) return decodeError(codec, buf, at, at + 4, 'code point in surrogate code point range(0xd800, 0xe000)')
    text += String.fromCodePoint(cp)
  }
  return { ok: true, text }
}

/**
 * The UTF-16/UTF-32 StreamReader: a BOM picks the byte order and is dropped. Without one the data is decoded
 * little-endian (CPython's native order here) and refused only when that read anything at all.
 */
function decodeWithBom (buf: Buffer, width: 2 | 4): Decoded {
  const bits = width * 8
  const decodeN = width === 2 ? decodeUtf16 : decodeUtf32
  const le = buf.length >= width && (width === 2 ? buf[0] === 0xff && buf[1] === 0xfe : buf.readUInt32LE(0) === 0xfeff)
  const be = buf.length >= width && (width === 2 ? buf[0] === 0xfe && buf[1] === 0xff : buf.readUInt32BE(0) === 0xfeff)
  if (le || be) return decodeN(buf, width, le, `utf-${bits}-${le ? 'le' : 'be'}`)
  const native = decodeN(buf, 0, true, `utf-${bits}-le`)
  if (native.ok && native.text !== '') return { ok: false, detail: `UTF-${bits} stream does not start with BOM` }
  return native
}

function decodeTable (buf: Buffer, table: string): Decoded {
  const offset = table.length === 128 ? 0x80 : 0
  let text = ''
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i] as number
    if (b < offset) { text += String.fromCharCode(b); continue }
    const ch = table.charCodeAt(b - offset)
    if (ch === 0xfffe) return decodeError('charmap', buf, i, i + 1, 'character maps to <undefined>')
    text += String.fromCharCode(ch)
  }
  return { ok: true, text }
}

/** A multibyte codec that reads ASCII as ASCII: exact for ASCII bodies without its escape bytes, else unsupported. */
function decodeAsciiCompatible (buf: Buffer, codec: Codec): Decoded {
  const escapes = ESCAPES[codec.module] ?? ''
  for (const b of buf) {
    if (b >= 0x80 || escapes.includes(String.fromCharCode(b))) return { ok: false, unsupported: codec.name }
  }
  return { ok: true, text: buf.toString('latin1') }
}

/** The body read through codecs.getreader(codec): the text, Python's error, or a codec the emulator does not read. */
export function decode (buf: Buffer, codec: Codec): Decoded {
  switch (codec.kind) {
    case 'utf_8': return decodeUtf8(buf)
    case 'utf_8_sig': {
      // the BOM is dropped, and positions then count from after it
      if (buf.length < 3 && Buffer.from([0xef, 0xbb, 0xbf]).subarray(0, buf.length).equals(buf)) return { ok: true, text: '' }
      return decodeUtf8(buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf)
    }
    case 'utf_16': return decodeWithBom(buf, 2)
    case 'utf_16_le': return decodeUtf16(buf, 0, true, 'utf-16-le')
    case 'utf_16_be': return decodeUtf16(buf, 0, false, 'utf-16-be')
    case 'utf_32': return decodeWithBom(buf, 4)
    case 'utf_32_le': return decodeUtf32(buf, 0, true, 'utf-32-le')
    case 'utf_32_be': return decodeUtf32(buf, 0, false, 'utf-32-be')
    case 'ascii': {
      const bad = buf.findIndex(b => b > 0x7f)
      return bad < 0 ? { ok: true, text: buf.toString('latin1') } : decodeError('ascii', buf, bad, bad + 1, 'ordinal not in range(128)')
    }
    case 'latin_1': case 'charmap': return { ok: true, text: buf.toString('latin1') }
    case 'undefined': return { ok: false, detail: 'undefined encoding' }
    case 'table': return decodeTable(buf, TABLES[codec.module] as string)
    case 'multibyte': return decodeAsciiCompatible(buf, codec)
    default: return { ok: false, unsupported: codec.name }
  }
}
