// Python's view of values: DRF formats messages with str()/repr() and parses numbers with int()/Decimal(), so
// the emulator needs the same rules (CPython's str/repr/int/Decimal, as DRF's messages show them), on the value
// model of json.ts.
import { PyFloat, pyFloatRepr, type PyValue } from './json.js'

const NON_ASCII = /[\u0080-\uffff]/
const UNICODE_DIGIT = /\p{Nd}/u
const UNICODE_DIGITS = /\p{Nd}/gu

/** str.isspace(), what str.strip() removes, for one UTF-16 unit (every Python whitespace character is in the BMP). */
function isPySpace (c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)
  if (c < 0x85) return false
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000
}

// int() strips the same set except the information separators U+001C..U+001F (checked on CPython 3.11).
const isIntSpace = (c: number): boolean => isPySpace(c) && (c < 0x1c || c > 0x1f)

/**
 * Strips the characters `isSpace` accepts from both ends: one scan from each end, so the work is linear in the
 * length whatever the string holds (a regular expression such as `[ws]+$` retries at every position of a long
 * run of whitespace that does not reach the end, which is quadratic).
 */
function stripWith (s: string, isSpace: (c: number) => boolean): string {
  let start = 0
  let end = s.length
  while (start < end && isSpace(s.charCodeAt(start))) start++
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

/** Python's `str.strip()`. */
export function pyStrip (s: string): string {
  return stripWith(s, isPySpace)
}

/**
 * IntegerField's `re.sub(r'\.0*\s*$', '', s)` (`\s` on str is str.isspace()), as a scan back from the end:
 * whitespace, then zeros, then the point the match needs.
 */
export function dropZeroFraction (s: string): string {
  let i = s.length
  while (i > 0 && isPySpace(s.charCodeAt(i - 1))) i--
  while (i > 0 && s.charCodeAt(i - 1) === 0x30) i--
  return i > 0 && s.charCodeAt(i - 1) === 0x2e ? s.slice(0, i - 1) : s
}

// Unicode keeps every decimal digit run contiguous and ordered 0..9, so a digit's value is its distance from the
// start of its run, modulo 10 (runs such as the mathematical digits sit back to back).
function digitValue (ch: string): string {
  let cp = ch.codePointAt(0) as number
  let start = cp
  while (UNICODE_DIGIT.test(String.fromCodePoint(start - 1))) start--
  cp -= start
  return String(cp % 10)
}

/** Python's int() and Decimal() read any Unicode decimal digit (`"١٢"` is 12). */
export function asciiDigits (s: string): string {
  return NON_ASCII.test(s) ? s.replace(UNICODE_DIGITS, digitValue) : s
}

const INT_SYNTAX = /^[+-]?\d(?:_?\d)*$/
// CPython 3.11 refuses to convert a string of more than 4300 digits (sys.get_int_max_str_digits()).
const MAX_INT_STR_DIGITS = 4300

/**
 * Python's `int(s)` for a base-10 string. Returns the value as a JS number when it is a safe integer, `Infinity`
 * (with the sign) when it is a valid integer beyond that range, or `null` when int() would raise ValueError.
 */
export function pyIntFromString (s: string): number | null {
  const text = stripWith(asciiDigits(s), isIntSpace)
  if (!INT_SYNTAX.test(text)) return null
  const digits = text.replace(/[+_-]/g, '')
  if (digits.length > MAX_INT_STR_DIGITS) return null
  const value = Number(digits)
  const signed = text.startsWith('-') ? -value : value
  return Number.isSafeInteger(signed) ? signed : (signed < 0 ? -Infinity : Infinity)
}

export interface PyDecimal {
  negative: boolean
  /** the coefficient's digits, without leading zeros ("0" for zero) */
  digits: string
  exponent: number
}

const DECIMAL_SYNTAX = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:e([+-]?\d+))?$/i
// libmpdec refuses exponents beyond MAX_EMAX (999999999999999999 on 64-bit builds).
const MAX_EXPONENT_DIGITS = 18

/**
 * Python's `decimal.Decimal(s)` for a string, as DRF's DecimalField calls it after `str(data).strip()`:
 * underscores are dropped anywhere, Unicode digits count, NaN and infinities are `null` like any syntax error.
 */
export function pyDecimal (s: string): PyDecimal | null {
  const m = DECIMAL_SYNTAX.exec(pyStrip(asciiDigits(s)).replace(/_/g, ''))
  if (m === null) return null
  const [, sign, whole = '', fraction = '', bareFraction, exponentText = '0'] = m
  const fractionDigits = bareFraction ?? fraction
  const expDigits = exponentText.replace(/^[+-]?0*/, '')
  if (expDigits.length > MAX_EXPONENT_DIGITS) return null
  const digits = (whole + fractionDigits).replace(/^0+(?=.)/, '')
  return {
    negative: sign === '-',
    digits,
    exponent: Number(exponentText) - fractionDigits.length
  }
}

/** The Python type name of a value, as DRF puts it into messages. */
export function pyTypeName (value: PyValue): string {
  if (value === null) return 'NoneType'
  switch (typeof value) {
    case 'boolean': return 'bool'
    case 'number': case 'bigint': return 'int'
    case 'string': return 'str'
  }
  if (value instanceof PyFloat) return 'float'
  return Array.isArray(value) ? 'list' : 'dict'
}

// str.isprintable() is false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the space.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u

function escapeChar (ch: string, quote: string): string {
  if (ch === quote || ch === '\\') return `\\${ch}`
  if (ch === '\t') return '\\t'
  if (ch === '\n') return '\\n'
  if (ch === '\r') return '\\r'
  const cp = ch.codePointAt(0) as number
  if (cp === 0x20 || (cp > 0x20 && cp < 0x7f) || (cp > 0xa0 && !UNPRINTABLE.test(ch))) return ch
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, '0')}`
  if (cp <= 0xffff) return `\\u${cp.toString(16).padStart(4, '0')}`
  return `\\U${cp.toString(16).padStart(8, '0')}`
}

/** Python's `repr(str)`. */
function pyStringRepr (s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) out += escapeChar(ch, quote)
  return out + quote
}

/** Python's `repr()` of a value (`[1, 'a', None]`, `{'k': True}`), dict keys in their order. */
export function pyRepr (value: PyValue): string {
  if (typeof value === 'string') return pyStringRepr(value)
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (value instanceof Map) {
    const entries: string[] = []
    for (const [k, v] of value) entries.push(`${pyStringRepr(k)}: ${pyRepr(v)}`)
    return `{${entries.join(', ')}}`
  }
  return pyStr(value)
}

/** Python's `str()` of a value: ints exactly, floats as repr() writes them. */
export function pyStr (value: PyValue): string {
  if (value === null) return 'None'
  switch (typeof value) {
    case 'string': return value
    case 'boolean': return value ? 'True' : 'False'
    case 'number': return String(value)
    case 'bigint': return value.toString()
  }
  return value instanceof PyFloat ? pyFloatRepr(value.value) : pyRepr(value)
}
