// Python's json module, as DRF's JSONParser and JSONRenderer use it: `loads` reads a document the way CPython's
// C scanner does (Modules/_json.c, json/decoder.py), with the same values and the same error texts and
// positions; `dumps` writes one the way json.dumps(ensure_ascii=False, separators=(',', ':')) does.
//
// The value model keeps what JavaScript would lose: ints of any size (a JS number while it is exact, a bigint
// beyond), floats that remember they were floats (PyFloat: 1.0 is not 1), and dicts that keep their keys in
// insertion order (a Map: integer-like keys are not moved to the front, and a repeated key keeps its first
// place and takes its last value, as in a Python dict).

export class PyFloat {
  constructor (readonly value: number) {}
}

export type PyDict = Map<string, PyValue>
export type PyValue = null | boolean | string | number | bigint | PyFloat | PyValue[] | PyDict

/** What json.loads raised: the text after DRF's "JSON parse error - ". */
export class JsonError extends Error {
  override name = 'JsonError'
}

/**
 * Python's json recurses per level and DRF answers 500 once it runs out of stack (about 960 levels under
 * gunicorn). Deeper documents are refused here with a 400, below DRF's limit, so only what would have crashed
 * DRF is refused.
 */
export const MAX_NESTING_DEPTH = 900

// CPython 3.11 refuses to convert a string of more than 4300 digits to an int (sys.get_int_max_str_digits()).
const MAX_INT_DIGITS = 4300

const enum C {
  Tab = 0x09, Newline = 0x0a, Return = 0x0d, Space = 0x20, Quote = 0x22, Plus = 0x2b, Comma = 0x2c, Minus = 0x2d,
  Dot = 0x2e, Slash = 0x2f, Zero = 0x30, One = 0x31, Nine = 0x39, Colon = 0x3a, UpperE = 0x45, UpperI = 0x49,
  UpperN = 0x4e, OpenBracket = 0x5b, Backslash = 0x5c, CloseBracket = 0x5d, LowerB = 0x62, LowerE = 0x65,
  LowerF = 0x66, LowerN = 0x6e, LowerR = 0x72, LowerT = 0x74, LowerU = 0x75, OpenBrace = 0x7b, CloseBrace = 0x7d
}

const isWhitespace = (c: number): boolean => c === C.Space || c === C.Tab || c === C.Newline || c === C.Return
const isDigit = (c: number): boolean => c >= C.Zero && c <= C.Nine

function hexValue (c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  if (c >= 0x61 && c <= 0x66) return c - 0x57
  if (c >= 0x41 && c <= 0x46) return c - 0x37
  return -1
}

/** A Python index (code points) for a JavaScript one (UTF-16 units): astral characters count once. */
function codePointIndex (text: string, index: number): number {
  let pairs = 0
  for (let i = 0; i < index - 1; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) { pairs++; i++ }
    }
  }
  return index - pairs
}

/** JSONDecodeError's text: `msg: line L column C (char P)`, counted in code points as Python counts them. */
function decodeError (msg: string, text: string, pos: number): JsonError {
  let line = 1
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === C.Newline) line++
  const char = codePointIndex(text, pos)
  const lastNewline = text.lastIndexOf('\n', pos - 1)
  const column = lastNewline < 0 ? char + 1 : char - codePointIndex(text, lastNewline)
  return new JsonError(`${msg}: line ${line} column ${column} (char ${char})`)
}

// the scanner found no value at `index`: json.decoder turns it into "Expecting value" there
class StopIteration {
  constructor (readonly index: number) {}
}

/** An int from its JSON text (digits with an optional minus), exact. */
function parseInt (digits: string): number | bigint {
  const count = digits.charCodeAt(0) === C.Minus ? digits.length - 1 : digits.length
  if (count <= 15) {
    const n = Number(digits)
    return n === 0 ? 0 : n // int('-0') is 0
  }
  if (count > MAX_INT_DIGITS) {
    throw new JsonError(`Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion: value has ${count} digits; ` +
      'use sys.set_int_max_str_digits() to increase the limit')
  }
  const big = BigInt(digits)
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}

// DRF's JSONParser passes parse_constant=strict_constant: NaN and the infinities are refused as they are read
function constant (name: string): never {
  throw new JsonError(`Out of range float values are not JSON compliant: '${name}'`)
}

// The scanner's state, for one document at a time (loads never runs re-entrantly): the text, where the scanner is
// (each scan function reads from `pos` and leaves it just after what it read), and how deep it has descended.
let text = ''
let length = 0
let end = -1
let pos = 0
let depth = 0
let maxDepth = MAX_NESTING_DEPTH

function skip (): void {
  while (pos <= end && isWhitespace(text.charCodeAt(pos))) pos++
}

// scanstring_unicode, `pos` just after the opening quote
function scanString (): string {
  const begin = pos - 1
  let chunks = ''
  let at = pos
  for (;;) {
    let next = at
    let c = 0
    for (; next < length; next++) {
      c = text.charCodeAt(next)
      if (c === C.Quote || c === C.Backslash) break
      if (c <= 0x1f) throw decodeError('Invalid control character at', text, next)
    }
    if (next >= length) throw decodeError('Unterminated string starting at', text, begin)
    if (c === C.Quote) {
      pos = next + 1
      return at === begin + 1 ? text.slice(at, next) : chunks + text.slice(at, next)
    }
    chunks += text.slice(at, next)
    next++
    if (next === length) throw decodeError('Unterminated string starting at', text, begin)
    c = text.charCodeAt(next)
    if (c !== C.LowerU) {
      at = next + 1
      switch (c) {
        case C.Quote: case C.Backslash: case C.Slash: chunks += String.fromCharCode(c); break
        case C.LowerB: chunks += '\b'; break
        case C.LowerF: chunks += '\f'; break
        case C.LowerN: chunks += '\n'; break
        case C.LowerR: chunks += '\r'; break
        case C.LowerT: chunks += '\t'; break
        default: throw decodeError('Invalid \\escape', text, at - 2)
      }
      continue
    }
    next++
    at = next + 4
    if (at >= length) throw decodeError('Invalid \\uXXXX escape', text, next - 1)
    let unit = 0
    for (; next < at; next++) {
      const digit = hexValue(text.charCodeAt(next))
      if (digit < 0) throw decodeError('Invalid \\uXXXX escape', text, at - 5)
      unit = (unit << 4) | digit
    }
    // a high surrogate followed by an escaped low one is one character
    if (unit >= 0xd800 && unit <= 0xdbff && at + 6 < length && text.charCodeAt(next) === C.Backslash && text.charCodeAt(next + 1) === C.LowerU) {
      const pairEnd = at + 6
      let low = 0
      for (next += 2; next < pairEnd; next++) {
        const digit = hexValue(text.charCodeAt(next))
        if (digit < 0) throw decodeError('Invalid \\uXXXX escape', text, pairEnd - 5)
        low = (low << 4) | digit
      }
      if (low >= 0xdc00 && low <= 0xdfff) {
        chunks += String.fromCharCode(unit, low)
        at = pairEnd
        continue
      }
    }
    chunks += String.fromCharCode(unit)
  }
}

// _match_number_unicode
function scanNumber (): PyValue {
  const start = pos
  let idx = start
  if (text.charCodeAt(idx) === C.Minus) {
    idx++
    if (idx > end) throw new StopIteration(start)
  }
  const first = text.charCodeAt(idx)
  if (first >= C.One && first <= C.Nine) {
    idx++
    while (idx <= end && isDigit(text.charCodeAt(idx))) idx++
  } else if (first === C.Zero) {
    idx++
  } else {
    throw new StopIteration(start)
  }
  let isFloat = false
  if (idx < end && text.charCodeAt(idx) === C.Dot && isDigit(text.charCodeAt(idx + 1))) {
    isFloat = true
    idx += 2
    while (idx <= end && isDigit(text.charCodeAt(idx))) idx++
  }
  if (idx < end && (text.charCodeAt(idx) === C.LowerE || text.charCodeAt(idx) === C.UpperE)) {
    const eStart = idx
    idx++
    if (idx < end && (text.charCodeAt(idx) === C.Minus || text.charCodeAt(idx) === C.Plus)) idx++
    while (idx <= end && isDigit(text.charCodeAt(idx))) idx++
    if (isDigit(text.charCodeAt(idx - 1))) isFloat = true
    else idx = eStart
  }
  pos = idx
  const numeral = text.slice(start, idx)
  return isFloat ? new PyFloat(Number(numeral)) : parseInt(numeral)
}

function enter (): void {
  if (++depth > maxDepth) throw new JsonError(`nesting deeper than ${maxDepth} levels`)
}

// `pos` just after the opening brace
function parseObject (): PyDict {
  enter()
  const dict: PyDict = new Map()
  skip()
  if (pos > end || text.charCodeAt(pos) !== C.CloseBrace) {
    for (;;) {
      if (pos > end || text.charCodeAt(pos) !== C.Quote) throw decodeError('Expecting property name enclosed in double quotes', text, pos)
      pos++
      const key = scanString()
      skip()
      if (pos > end || text.charCodeAt(pos) !== C.Colon) throw decodeError('Expecting \':\' delimiter', text, pos)
      pos++
      skip()
      dict.set(key, scanOnce())
      skip()
      if (pos <= end && text.charCodeAt(pos) === C.CloseBrace) break
      if (pos > end || text.charCodeAt(pos) !== C.Comma) throw decodeError('Expecting \',\' delimiter', text, pos)
      pos++
      skip()
    }
  }
  depth--
  pos++
  return dict
}

// `pos` just after the opening bracket
function parseArray (): PyValue[] {
  enter()
  const list: PyValue[] = []
  skip()
  if (pos > end || text.charCodeAt(pos) !== C.CloseBracket) {
    for (;;) {
      list.push(scanOnce())
      skip()
      if (pos <= end && text.charCodeAt(pos) === C.CloseBracket) break
      if (pos > end || text.charCodeAt(pos) !== C.Comma) throw decodeError('Expecting \',\' delimiter', text, pos)
      pos++
      skip()
    }
  }
  depth--
  pos++
  return list
}

// scan_once_unicode
function scanOnce (): PyValue {
  const idx = pos
  if (idx > end) throw new StopIteration(idx)
  switch (text.charCodeAt(idx)) {
    case C.Quote: pos++; return scanString()
    case C.OpenBrace: pos++; return parseObject()
    case C.OpenBracket: pos++; return parseArray()
    case C.LowerN:
      if (idx + 3 < length && text.startsWith('null', idx)) { pos += 4; return null }
      break
    case C.LowerT:
      if (idx + 3 < length && text.startsWith('true', idx)) { pos += 4; return true }
      break
    case C.LowerF:
      if (idx + 4 < length && text.startsWith('false', idx)) { pos += 5; return false }
      break
    case C.UpperN:
      if (idx + 2 < length && text.startsWith('NaN', idx)) constant('NaN')
      break
    case C.UpperI:
      if (idx + 7 < length && text.startsWith('Infinity', idx)) constant('Infinity')
      break
    case C.Minus:
      if (idx + 8 < length && text.startsWith('-Infinity', idx)) constant('-Infinity')
      break
  }
  return scanNumber()
}

/**
 * `json.loads(text)` with DRF's parse_constant. Throws JsonError with Python's text. `limit`: how deep the document
 * may nest (a journal line wraps a body the API accepted in a few levels more).
 */
export function loads (document: string, limit = MAX_NESTING_DEPTH): PyValue {
  text = document
  length = document.length
  end = length - 1
  pos = 0
  depth = 0
  maxDepth = limit
  try {
    return loadsDocument()
  } finally {
    text = ''
  }
}

function loadsDocument (): PyValue {
  if (text.charCodeAt(0) === 0xfeff) throw decodeError('Unexpected UTF-8 BOM (decode using utf-8-sig)', text, 0)
  skip()
  let value: PyValue
  try {
    value = scanOnce()
  } catch (err) {
    if (err instanceof StopIteration) throw decodeError('Expecting value', text, err.index)
    throw err
  }
  skip()
  if (pos !== length) throw decodeError('Extra data', text, pos)
  return value
}

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function pyFloatRepr (x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const abs = Math.abs(x)
  // In [1e-4, 1e16) Python writes fixed notation, as JavaScript does at these magnitudes; integral floats keep `.0`.
  if (abs >= 1e-4 && abs < 1e16) return Number.isInteger(x) ? `${String(x)}.0` : String(x)
  const [mantissa = '', exponentText = '0'] = abs.toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const exponent = Number(exponentText)
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
  return `${x < 0 ? '-' : ''}${head}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
}

/**
 * `json.dumps(value, ensure_ascii=False, separators=(',', ':'))`, or with `indent` (DRF's `Accept: …; indent=4`)
 * `separators=(',', ': ')` and one item a line. Strings are escaped as JSON.stringify escapes them, which is
 * Python's escaping but for lone surrogates (refused before anything is rendered).
 */
export function dumps (value: PyValue, indent = 0, level = 0): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string': return JSON.stringify(value)
    case 'boolean': return value ? 'true' : 'false'
    case 'number': return String(value)
    case 'bigint': return value.toString()
  }
  if (value instanceof PyFloat) {
    const v = value.value
    // loads never makes a NaN; an infinity (1e400) is written as Python's json writes it with allow_nan
    return Number.isFinite(v) ? pyFloatRepr(v) : v > 0 ? 'Infinity' : '-Infinity'
  }
  const items = Array.isArray(value)
    ? value.map(v => dumps(v, indent, level + 1))
    : [...value].map(([k, v]) => `${JSON.stringify(k)}:${indent > 0 ? ' ' : ''}${dumps(v, indent, level + 1)}`)
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  if (items.length === 0) return open + close
  if (indent === 0) return `${open}${items.join(',')}${close}`
  const inner = `\n${' '.repeat(indent * (level + 1))}`
  return `${open}${inner}${items.join(`,${inner}`)}\n${' '.repeat(indent * level)}${close}`
}

/** A JavaScript value (a document given to the programmatic API) in the value model, as its JSON text reads. */
export function fromJs (value: object): PyValue {
  return loads(JSON.stringify(value))
}

/** The value as JavaScript sees it (floats become numbers, big ints numbers too): for display only. */
export function toJs (value: PyValue): unknown {
  return JSON.parse(dumps(value))
}

/** JSON text already written (compact, as dumps writes it), spliced into a streamed document. */
export class RawJson {
  constructor (readonly text: string) {}
}

/** A list whose items are made as the document is written (a snapshot's payments, read a page at a time). */
export class LazyList {
  constructor (readonly items: () => Iterator<Streamable>) {}
}

/** A value computed when the writer reaches it (a snapshot's clock, read after its payments). */
export class LazyValue {
  constructor (readonly get: () => Streamable) {}
}

/** What iterencode writes: the value model, plus JSON text and values made on the way. */
export type Streamable = PyValue | RawJson | LazyList | LazyValue | Map<string, Streamable> | Streamable[]

const LINE_SEPARATORS = /[\u2028\u2029]/g

/** How many U+2028 and U+2029 a text holds. */
export function countLineSeparators (text: string): number {
  let n = 0
  LINE_SEPARATORS.lastIndex = 0
  while (LINE_SEPARATORS.exec(text) !== null) n++
  return n
}

/** DRF's JSONRenderer escapes U+2028 and U+2029 after json.dumps (JavaScript would read them as line ends). */
export function escapeLineSeparators (text: string): string {
  LINE_SEPARATORS.lastIndex = 0
  return LINE_SEPARATORS.test(text) ? text.replace(LINE_SEPARATORS, c => c === '\u2028' ? '\\u2028' : '\\u2029') : text
}

interface Frame {
  items: Iterator<Streamable> | Iterator<[string, Streamable]>
  dict: boolean
  level: number
  /** the closing bracket, and whether anything was written since the opening one */
  close: string
  written: boolean
}

/**
 * Python's `JSONEncoder.iterencode`: the text `dumps(value, indent)` writes (line separators escaped as DRF
 * renders them), in pieces of about `chunkChars`, never held whole. Lists and dicts are walked with a stack of
 * their own, so depth costs nothing per piece; LazyList items and LazyValues are made only when reached.
 */
export function * iterencode (value: Streamable, indent = 0, chunkChars = 64 * 1024): Generator<string, void, undefined> {
  const pads: string[] = []
  const pad = (level: number): string => (pads[level] ??= `\n${' '.repeat(indent * level)}`)
  const stack: Frame[] = []
  let out = ''
  let next: Streamable | undefined = value
  for (;;) {
    if (next !== undefined) {
      const v: Streamable = next
      next = undefined
      const level = stack.length
      if (v instanceof LazyValue) {
        next = v.get()
      } else if (v instanceof RawJson) {
        if (indent === 0) out += v.text
        else next = loads(v.text)
      } else if (v instanceof LazyList) {
        out += '['
        stack.push({ items: v.items(), dict: false, level, close: ']', written: false })
      } else if (Array.isArray(v)) {
        out += '['
        stack.push({ items: v[Symbol.iterator](), dict: false, level, close: ']', written: false })
      } else if (v instanceof Map) {
        out += '{'
        stack.push({ items: v.entries(), dict: true, level, close: '}', written: false })
      } else {
        out += dumps(v)
      }
    } else {
      const frame = stack[stack.length - 1]
      if (frame === undefined) break
      const item = frame.items.next()
      if (item.done === true) {
        if (frame.written && indent > 0) out += pad(frame.level)
        out += frame.close
        stack.pop()
      } else {
        if (frame.written) out += ','
        if (indent > 0) out += pad(frame.level + 1)
        frame.written = true
        if (frame.dict) {
          const [k, v] = item.value as [string, Streamable]
          out += `${JSON.stringify(k)}:${indent > 0 ? ' ' : ''}`
          next = v
        } else {
          next = item.value as Streamable
        }
      }
    }
    if (out.length >= chunkChars) {
      yield escapeLineSeparators(out)
      out = ''
    }
  }
  if (out !== '') yield escapeLineSeparators(out)
}

/**
 * How many characters `dumps(value, indent)` writes beyond the compact text of the same value: the line breaks,
 * the indentation and the space after each colon. Counted without writing anything.
 */
export function indentedExtra (value: PyValue, indent: number, level = 0): number {
  if (value === null || typeof value !== 'object' || value instanceof PyFloat) return 0
  const n = Array.isArray(value) ? value.length : value.size
  if (n === 0) return 0
  // each item on a line of its own, then the closing bracket on one more
  let extra = n * (1 + indent * (level + 1)) + 1 + indent * level
  if (Array.isArray(value)) {
    for (const item of value) extra += indentedExtra(item, indent, level + 1)
  } else {
    for (const item of value.values()) extra += 1 + indentedExtra(item, indent, level + 1)
  }
  return extra
}
