// DRF's field algorithms and messages (rest_framework/fields.py, relations.py), reduced to the fields the
// emulated serializers use. Each field takes the raw JSON value (or MISSING) and returns a value or a list of
// messages; the serializers collect them in declaration order, as Serializer.to_internal_value does.
import { dropZeroFraction, pyDecimal, pyIntFromString, pyNumberStr, pyStr, pyStrip, pyTypeName } from './python.js'

export const MISSING = Symbol('missing')
export type Input = unknown

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
  invalidChoice: (input: unknown) => `"${pyStr(input)}" is not a valid choice.`,
  invalidNumber: 'A valid number is required.',
  invalidInteger: 'A valid integer is required.',
  stringTooLarge: 'String value too large.',
  maxDigits: (n: number) => `Ensure that there are no more than ${n} digits in total.`,
  maxDecimalPlaces: (n: number) => `Ensure that there are no more than ${n} decimal places.`,
  maxWholeDigits: (n: number) => `Ensure that there are no more than ${n} digits before the decimal point.`,
  minValue: (limit: string) => `Ensure this value is greater than or equal to ${limit}.`,
  maxValue: (limit: string) => `Ensure this value is less than or equal to ${limit}.`,
  notADict: (input: unknown) => `Expected a dictionary of items but got type "${pyTypeName(input)}".`,
  invalidJson: 'Value must be valid JSON.',
  pkIncorrectType: (input: unknown) => `Incorrect type. Expected pk value, received ${pyTypeName(input)}.`,
  pkDoesNotExist: (input: unknown) => `Invalid pk "${pyStr(input)}" - object does not exist.`
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
  if (typeof data === 'number') data = pyNumberStr(data)
  else if (typeof data !== 'string') return fail(MSG.notAString)
  const value = pyStrip(data as string)
  if (value === '') return opts.allowBlank ? ok('') : fail(MSG.blank)
  const errors: string[] = []
  if (value.length > opts.maxLength && codePointLength(value) > opts.maxLength) errors.push(MSG.maxLength(opts.maxLength))
  if (value.includes('\0')) errors.push(MSG.nullCharacters)
  const surrogate = LONE_SURROGATE.exec(value)
  if (surrogate !== null) errors.push(MSG.surrogate(surrogate[0].charCodeAt(0)))
  return errors.length === 0 ? ok(value) : fail(...errors)
}

/** ChoiceField: matched on Python's str() of the input, case-sensitively. */
export function choiceField<C extends string> (data: Input, choices: readonly C[], required: boolean): FieldResult<C | null> {
  const empty = emptyCheck(data, required, false)
  if (empty !== undefined) return empty
  const key = pyStr(data)
  return (choices as readonly string[]).includes(key) ? ok(key as C) : fail(MSG.invalidChoice(data))
}

/** DictField of unvalidated values, stored as JSON: values JSON cannot carry (1e400 → Infinity) are refused. */
export function dictField (data: Input, required: boolean): FieldResult<Record<string, unknown> | null> {
  const empty = emptyCheck(data, required, false)
  if (empty !== undefined) return empty
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail(MSG.notADict(data))
  return hasNonFiniteNumber(data) ? fail(MSG.invalidJson) : ok(data as Record<string, unknown>)
}

function hasNonFiniteNumber (root: object): boolean {
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true
    } else if (typeof v === 'object' && v !== null) {
      for (const child of Object.values(v)) stack.push(child)
    }
  }
  return false
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
  const text = pyStrip(typeof data === 'string' ? data : pyStr(data))
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
  let value: number | null = null
  if (typeof data === 'number') {
    value = Number.isInteger(data) ? data : null
  } else if (typeof data === 'string') {
    if (data.length > MAX_STRING_LENGTH) return fail(MSG.stringTooLarge)
    value = pyIntFromString(dropZeroFraction(data))
  }
  if (value === null) return fail(MSG.invalidInteger)
  if (value < opts.min) return fail(MSG.minValue(String(opts.min)))
  if (value > opts.max) return fail(MSG.maxValue(String(opts.max)))
  return ok(value)
}

export type PkLookup = { ok: true, id: number | null, input: unknown } | Failure

/**
 * PrimaryKeyRelatedField up to the database lookup: `id` is the integer to look up, or null when it cannot match
 * any payment (beyond the id range). A non-integral float is refused as "received float": DRF would truncate it.
 */
export function primaryKeyField (data: Input): PkLookup {
  if (data === '') data = null
  const empty = emptyCheck(data, true, false)
  if (empty !== undefined) return empty as Failure
  let id: number | null
  if (typeof data === 'number') {
    if (!Number.isInteger(data)) return fail(MSG.pkIncorrectType(data))
    id = data
  } else if (typeof data === 'string') {
    id = pyIntFromString(data)
    if (id === null) return fail(MSG.pkIncorrectType(data))
  } else {
    return fail(MSG.pkIncorrectType(data))
  }
  return { ok: true, id: Number.isSafeInteger(id) && id > 0 ? id : null, input: data }
}

/** Non-negative minor units as the decimal text DRF prints for a Decimal with `places` places ("40.00"). */
export function formatMinorUnits (units: number, places = 2): string {
  const digits = String(units).padStart(places + 1, '0')
  return `${digits.slice(0, -places)}.${digits.slice(-places)}`
}
