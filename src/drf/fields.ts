// DRF's field algorithms and messages (rest_framework/fields.py, relations.py), reduced to the fields the
// emulated serializers use. Each field takes the raw JSON value (or MISSING) and returns a value or a list of
// messages; the serializers collect them in declaration order, as Serializer.to_internal_value does.
import { PyFloat, type PyDict, type PyValue } from '../python/json.js'
import { dropZeroFraction, pyDecimal, pyIntFromString, pyStr, pyStrip, pyTypeName } from '../python/python.js'

export const MISSING = Symbol('missing')
/** A field's value as the body gave it (json.ts's value model), or MISSING when the key is not there. */
export type Input = PyValue | typeof MISSING

type Failure = { ok: false, errors: string[] }
export type FieldResult<T> = { ok: true, value: T } | Failure

export const MSG = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  notAString: 'Not a valid string.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  nullCharacters: 'Null characters are not allowed.',
  surrogate: (cp: number) => `Surrogate characters are not allowed: U+${cp.toString(16).toUpperCase()}.`,
  invalidChoice: (input: PyValue) => `"${pyStr(input)}" is not a valid choice.`,
  invalidNumber: 'A valid number is required.',
  invalidInteger: 'A valid integer is required.',
  stringTooLarge: 'String value too large.',
  maxDigits: (n: number) => `Ensure that there are no more than ${n} digits in total.`,
  maxDecimalPlaces: (n: number) => `Ensure that there are no more than ${n} decimal places.`,
  maxWholeDigits: (n: number) => `Ensure that there are no more than ${n} digits before the decimal point.`,
  minValue: (limit: string) => `Ensure this value is greater than or equal to ${limit}.`,
  maxValue: (limit: string) => `Ensure this value is less than or equal to ${limit}.`,
  notADict: (input: PyValue) => `Expected a dictionary of items but got type "${pyTypeName(input)}".`,
  invalidJson: 'Value must be valid JSON.',
  pkIncorrectType: (input: PyValue) => `Incorrect type. Expected pk value, received ${pyTypeName(input)}.`,
  pkDoesNotExist: (input: PyValue) => `Invalid pk "${pyStr(input)}" - object does not exist.`
} as const

const ok = <T>(value: T): FieldResult<T> => ({ ok: true, value })
const fail = (...errors: string[]): Failure => ({ ok: false, errors })

// DRF's Field.validate_empty_values for a field without a default.
function emptyCheck (data: Input, required: boolean, allowNull: boolean): FieldResult<null> | undefined {
  if (data === MISSING) return required ? fail(MSG.required) : ok(null)
  if (data === null) return allowNull ? ok(null) : fail(MSG.null)
  return undefined
}

// DRF keeps strings to 1000 characters before it parses numbers (Field.MAX_STRING_LENGTH).
const MAX_STRING_LENGTH = 1000
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A string's length in code points, as Python counts it (an astral character is one). */
function codePointLength (s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) { n--; i++ }
    }
  }
  return n
}

export interface CharOptions { maxLength: number, required: boolean, allowNull: boolean, allowBlank: boolean }

/** CharField with trim_whitespace, plus Django's ProhibitNullCharacters and DRF's ProhibitSurrogateCharacters. */
export function charField (data: Input, opts: CharOptions): FieldResult<string | null> {
  const empty = emptyCheck(data, opts.required, opts.allowNull)
  if (empty !== undefined) return empty
  // ints and floats are turned into text with str(); booleans, lists and dicts are refused
  if (typeof data === 'number' || typeof data === 'bigint' || data instanceof PyFloat) data = pyStr(data)
  else if (typeof data !== 'string') return fail(MSG.notAString)
  const value = pyStrip(data)
  if (value === '') return opts.allowBlank ? ok('') : fail(MSG.blank)
  const errors: string[] = []
  if (value.length > opts.maxLength && codePointLength(value) > opts.maxLength) errors.push(MSG.maxLength(opts.maxLength))
  if (value.includes('\0')) errors.push(MSG.nullCharacters)
  const surrogate = LONE_SURROGATE.exec(value)
  if (surrogate !== null) errors.push(MSG.surrogate(surrogate[0].charCodeAt(0)))
  return errors.length === 0 ? ok(value) : fail(...errors)
}

/** The first lone surrogate in a string, or -1. */
function loneSurrogate (s: string): number {
  const m = LONE_SURROGATE.exec(s)
  return m === null ? -1 : m[0].charCodeAt(0)
}

/** ChoiceField: matched on Python's str() of the input, case-sensitively. */
export function choiceField<C extends string> (data: Input, choices: readonly C[], required: boolean): FieldResult<C | null> {
  const empty = emptyCheck(data, required, false)
  if (empty !== undefined) return empty
  const key = pyStr(data as PyValue)
  return (choices as readonly string[]).includes(key) ? ok(key as C) : fail(MSG.invalidChoice(data as PyValue))
}

/** DictField of unvalidated values: any dict passes (what DRF cannot store or render is found by `unrenderable`). */
export function dictField (data: Input, required: boolean): FieldResult<PyDict | null> {
  const empty = emptyCheck(data, required, false)
  if (empty !== undefined) return empty
  return data instanceof Map ? ok(data) : fail(MSG.notADict(data as PyValue))
}

/**
 * Why DRF would crash storing or answering this dict, as a message, or null: 1e400 (an infinity JSON cannot carry,
 * refused by the database's JSON check) and lone surrogates in any key or string (the renderer cannot encode them).
 * The contract for inputs DRF crashes on is a 400 with a field-keyed message.
 */
export function unrenderable (value: PyValue): string | null {
  // in document order, so the first problem named is the first in the text
  if (value instanceof PyFloat) return Number.isFinite(value.value) ? null : MSG.invalidJson
  if (typeof value === 'string') {
    const cp = loneSurrogate(value)
    return cp < 0 ? null : MSG.surrogate(cp)
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = unrenderable(item)
      if (problem !== null) return problem
    }
  } else if (value instanceof Map) {
    for (const [k, item] of value) {
      const problem = unrenderable(k) ?? unrenderable(item)
      if (problem !== null) return problem
    }
  }
  return null
}

export interface DecimalOptions { maxDigits: number, decimalPlaces: number, minCents: number, required: boolean }

/**
 * DecimalField(max_digits, decimal_places, min_value) returning integer minor units. Numbers are read through
 * Python's str() (so 0.30000000000000004 has 17 digits), strings keep their digits ("12.50" has 4).
 */
export function decimalField (data: Input, opts: DecimalOptions): FieldResult<number | null> {
  const empty = emptyCheck(data, opts.required, false)
  if (empty !== undefined) return empty
  // smart_str(data).strip(): a list or dict is measured by its repr before Decimal() refuses it
  const text = pyStrip(pyStr(data as PyValue))
  if (text.length > MAX_STRING_LENGTH) return fail(MSG.stringTooLarge)
  const dec = pyDecimal(text)
  if (dec === null) return fail(MSG.invalidNumber)
  // DecimalField.validate_precision: leading zeros do not count, trailing zeros do.
  const n = dec.digits.length
  let total: number, places: number, whole: number
  if (dec.exponent >= 0) {
    total = n + dec.exponent
    places = 0
    whole = total
  } else if (n > -dec.exponent) {
    total = n
    places = -dec.exponent
    whole = n - places
  } else {
    total = -dec.exponent
    places = total
    whole = 0
  }
  if (total > opts.maxDigits) return fail(MSG.maxDigits(opts.maxDigits))
  if (places > opts.decimalPlaces) return fail(MSG.maxDecimalPlaces(opts.decimalPlaces))
  if (whole > opts.maxDigits - opts.decimalPlaces) return fail(MSG.maxWholeDigits(opts.maxDigits - opts.decimalPlaces))
  const units = Number(dec.digits) * 10 ** (dec.exponent + opts.decimalPlaces)
  const signed = dec.negative ? -units : units
  if (signed < opts.minCents) return fail(MSG.minValue(formatMinorUnits(opts.minCents, opts.decimalPlaces)))
  return ok(signed)
}

export interface IntegerOptions { min: number, max: number, required: boolean }

/** IntegerField: `int(re.sub(r'\.0*\s*$', '', str(data)))`, then min/max. */
export function integerField (data: Input, opts: IntegerOptions): FieldResult<number | null> {
  const empty = emptyCheck(data, opts.required, false)
  if (empty !== undefined) return empty
  let value: number | null
  if (typeof data === 'number') value = data
  else if (typeof data === 'bigint') value = data > 0n ? Infinity : -Infinity
  else if (typeof data === 'string' && data.length > MAX_STRING_LENGTH) return fail(MSG.stringTooLarge)
  else value = pyIntFromString(dropZeroFraction(pyStr(data as PyValue)))
  if (value === null) return fail(MSG.invalidInteger)
  if (value < opts.min) return fail(MSG.minValue(String(opts.min)))
  if (value > opts.max) return fail(MSG.maxValue(String(opts.max)))
  return ok(value)
}

export type PkLookup = { ok: true, id: number | null, input: PyValue } | Failure

/**
 * PrimaryKeyRelatedField up to the database lookup: `id` is the integer to look up, or null when it cannot match
 * any payment (beyond the id range). `int(data)` as Django's lookup calls it: strings are stripped, an integral
 * float is its integer. A non-integral float is refused as "received float" (DRF would truncate 12.5 to
 * payment 12), and so is an infinity (DRF crashes on int(inf)).
 */
export function primaryKeyField (data: Input): PkLookup {
  if (data === '') data = null
  const empty = emptyCheck(data, true, false)
  if (empty !== undefined) return empty as Failure
  const input = data as PyValue
  let id: number | null
  if (typeof input === 'number') {
    id = input
  } else if (typeof input === 'bigint') {
    id = null
  } else if (input instanceof PyFloat) {
    if (!Number.isInteger(input.value)) return fail(MSG.pkIncorrectType(input))
    id = input.value
  } else if (typeof input === 'string') {
    id = pyIntFromString(input)
    if (id === null) return fail(MSG.pkIncorrectType(input))
  } else {
    return fail(MSG.pkIncorrectType(input))
  }
  return { ok: true, id: id !== null && Number.isSafeInteger(id) && id > 0 ? id : null, input }
}

/** Non-negative minor units as the decimal text DRF prints for a Decimal with `places` places ("40.00"). */
export function formatMinorUnits (units: number, places = 2): string {
  const digits = String(units).padStart(places + 1, '0')
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`
}
