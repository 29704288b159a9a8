// TypeBox types of our own, for fields the admin API reads the way DRF reads them: each documents itself as plain
// JSON Schema in the OpenAPI document, is checked by TypeBox's compiler with a function registered for its kind
// (TypeRegistry) — DRF's own field algorithm (src/drf/fields.ts) —, fails with DRF's message, and decodes to the
// value the handler wants (`decode`): an int for "12", minor units for "12.50", a stripped string, microseconds for
// a datetime. Messages and decoded values come from the body as it was given (json.ts's model: 1.0 is a float),
// never from the plain view the compiler checks. Kind names carry the package's name: TypeBox's registry is
// shared with whoever else uses it in the process.
import { Kind, Type, TypeRegistry, type TSchema, type TUnsafe } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { MAX_ADVANCE_MS, parseDuration, parseInstant } from '../clock.js'
import { charField, choiceField, decimalField, integerField, MISSING, MSG, type CharOptions, type DecimalOptions, type FieldResult, type Input, type IntegerOptions } from '../drf/fields.js'
import { sendableWorkspace, WORKSPACE_UNSENDABLE } from '../partition.js'
import { PyFloat, type PyDict, type PyValue } from '../python/json.js'
import { pyStrip } from '../python/python.js'

/** Where a kind keeps its decoder (a symbol: the OpenAPI document never shows it). */
const DECODE = Symbol('decode')

/** A schema whose field decodes to `O` (its TypeScript type, `I`, is what a client sends). */
export type Decoding<I, O> = TUnsafe<I> & { readonly [DECODE]: (raw: Input) => O }

interface KindOptions<O> {
  /** checks the value as TypeBox's compiler sees it (plain objects and numbers) */
  check: (plain: unknown, schema: Record<PropertyKey, unknown>) => boolean
  /** the message for a value it refused, as the body gave it */
  message: (raw: PyValue, schema: Record<PropertyKey, unknown>) => string
  /** the value the handler gets, from the body as it gave it (MISSING when an optional field is left out) */
  decode: (raw: Input) => O
}

// a schema of one of these kinds carries its own check and message (each StringEnum its own list, say): the registry
// holds one function per kind, which asks the schema
const CHECK = Symbol('check')
const MESSAGE = Symbol('message')

/**
 * The compiler's plain view back in the value model, for DRF's field functions: objects as dicts, numbers that are
 * not integers as floats (an integral float reads as an int here; the messages and values come from the body).
 */
function fromPlain (value: unknown): PyValue {
  if (typeof value === 'number') return Number.isInteger(value) ? value : new PyFloat(value)
  if (Array.isArray(value)) return value.map(fromPlain)
  if (typeof value === 'object' && value !== null) return new Map(Object.entries(value).map(([k, v]) => [k, fromPlain(v)]))
  return value as PyValue
}

interface Carrying {
  [CHECK]: KindOptions<unknown>['check']
  [MESSAGE]: KindOptions<unknown>['message']
}

function kind<I, O> (name: string, opts: KindOptions<O>, docs: Record<PropertyKey, unknown>): Decoding<I, O> {
  const id = `piriod-mock:${name}`
  if (!TypeRegistry.Has(id)) {
    // a required field left out is visited too (after its "required" error): it passes no check
    TypeRegistry.Set<Carrying & Record<PropertyKey, unknown>>(id, (schema, value) => value !== undefined && schema[CHECK](fromPlain(value), schema))
  }
  return Type.Unsafe<I>({ ...docs, [Kind]: id, [CHECK]: opts.check, [MESSAGE]: opts.message, [DECODE]: opts.decode }) as Decoding<I, O>
}

/** The message for a value that failed a kind of ours, or undefined for TypeBox's own types. */
export function kindMessage (schema: TSchema, value: PyValue): string | undefined {
  return (schema as Partial<Carrying>)[MESSAGE]?.(value, schema as unknown as Record<PropertyKey, unknown>)
}

/** A field's value as its kind decodes it from the body (a checked one: its kind accepted it). */
export function decode<O> (schema: { readonly [DECODE]: (raw: Input) => O }, raw: Input): O {
  return schema[DECODE](raw)
}

const valueOf = <T>(result: FieldResult<T>): T => (result as { value: T }).value
const firstError = (result: FieldResult<unknown>): string => (result as { errors: string[] }).errors.join(' ')

/** DRF IntegerField: `12`, `"12"`, `" 13 "`, `14.0` are 12, 12, 13, 14. */
export const DrfInteger = (opts: Omit<IntegerOptions, 'required'>, docs: Record<string, unknown> = {}) => {
  const field = (v: Input) => integerField(v, { ...opts, required: false })
  return kind<number, number | null>('DrfInteger', { check: v => field(v as Input).ok, message: v => firstError(field(v)), decode: v => valueOf(field(v)) },
    { type: 'integer', minimum: opts.min, maximum: opts.max, ...docs })
}

/** DRF DecimalField, to minor units: a number or a numeric string, its digits, places and minimum. */
export const DrfDecimal = (opts: DecimalOptions, docs: Record<string, unknown> = {}) => {
  const field = (v: Input) => decimalField(v, { ...opts, required: false })
  return kind<number | string, number | null>('DrfDecimal', { check: v => field(v as Input).ok, message: v => firstError(field(v)), decode: v => valueOf(field(v)) },
    { anyOf: [{ type: 'number' }, { type: 'string' }], ...docs })
}

/** DRF CharField: stripped, blank refused (unless allowed), NUL and lone surrogates refused, length in code points. */
export function DrfChar (opts: CharOptions & { allowNull: true }, docs?: Record<string, unknown>): Decoding<string | null, string | null>
export function DrfChar (opts: CharOptions, docs?: Record<string, unknown>): Decoding<string, string | null>
export function DrfChar (opts: CharOptions, docs: Record<string, unknown> = {}): Decoding<string, string | null> {
  const field = (v: Input) => charField(v, { ...opts, required: false })
  return kind<string, string | null>('DrfChar', { check: v => field(v as Input).ok, message: v => firstError(field(v)), decode: v => valueOf(field(v)) },
    { type: opts.allowNull ? ['string', 'null'] : 'string', maxLength: opts.maxLength, ...docs })
}

/** DRF ChoiceField: a string from a fixed list, `{"type": "string", "enum": [...]}`. */
export const StringEnum = <T extends string>(values: readonly T[], docs: Record<string, unknown> = {}) => {
  const field = (v: Input) => choiceField<T>(v, values, false)
  return kind<T, T | null>('StringEnum', { check: v => field(v as Input).ok, message: v => firstError(field(v)), decode: v => valueOf(field(v)) },
    { type: 'string', enum: [...values], ...docs })
}

const INNER = Symbol('inner schema')

/** `T | null`, documented as a `type` list. */
export function Nullable<T extends TSchema> (schema: T) {
  return kind<T['static'] | null, unknown>('Nullable', {
    check: (v, s) => v === null || Value.Check(s[INNER] as TSchema, v),
    message: (v, s) => kindMessage(s[INNER] as TSchema, v) ?? MSG.notAString,
    // (the answer schemas wrap plain TypeBox types: the value as given)
    decode: v => v === null || v === MISSING ? null : v
  }, { ...(schema as Record<string, unknown>), type: [schema.type as string, 'null'], [INNER]: schema })
}

/** A dict of anything (DRF DictField): `{"type": "object"}`; decodes to the dict as the body gave it. */
export const Dict = (docs: Record<string, unknown> = {}) =>
  kind<Record<string, unknown>, PyDict | null>('Dict', {
    check: v => typeof v === 'object' && v !== null && !Array.isArray(v),
    message: v => MSG.notADict(v),
    decode: v => v instanceof Map ? v : null
  }, { type: 'object', properties: {}, additionalProperties: true, ...docs })

/** A datetime as DRF writes it (UTC, `Z`, up to six fraction digits), to microseconds. */
export const UtcDateTime = (docs: Record<string, unknown> = {}) => {
  const us = (v: unknown): number | null => typeof v === 'string' && v.endsWith('Z') ? parseInstant(v) : null
  return kind<string, number | null>('UtcDateTime', {
    check: v => us(v) !== null,
    message: () => 'Datetime has wrong format. Use YYYY-MM-DDThh:mm:ss[.uuuuuu]Z.',
    decode: us
  }, { type: 'string', format: 'date-time', ...docs })
}

/** An ISO-8601 instant from 1970 on, `Z` or with an offset, to microseconds. */
export const Instant = (docs: Record<string, unknown> = {}) => {
  const us = (v: unknown): number | null => typeof v === 'string' ? parseInstant(v) : null
  return kind<string, number | null>('Instant', {
    check: v => us(v) !== null,
    message: () => 'Enter an ISO-8601 instant from 1970 on, such as "2026-01-01T00:00:00Z".',
    decode: us
  }, { type: 'string', format: 'date-time', ...docs })
}

/** A workspace an x-simple-workspace header can carry (src/partition.ts). */
export const Workspace = (docs: Record<string, unknown> = {}) =>
  kind<string, string>('Workspace', {
    check: v => typeof v === 'string' && sendableWorkspace(v),
    message: v => typeof v === 'string' && pyStrip(v) !== '' ? WORKSPACE_UNSENDABLE : 'A non-blank string is required.',
    decode: v => v as string
  }, { type: 'string', minLength: 1, ...docs })
/** An ISO-8601 duration of weeks, days, hours, minutes and seconds (`PT10M`), at most 100 years, to microseconds. */
export const Duration = (docs: Record<string, unknown> = {}) => {
  const us = (v: unknown): number | null => typeof v === 'string' ? parseDuration(v) : null
  return kind<string, number | null>('Duration', {
    check: v => { const d = us(v); return d !== null && d <= MAX_ADVANCE_MS * 1000 },
    message: v => us(v) === null
      ? 'Enter an ISO-8601 duration of weeks, days, hours, minutes and seconds, such as "PT10M".'
      : `Ensure this value is less than or equal to ${MAX_ADVANCE_MS} ms.`,
    decode: us
  }, { type: 'string', ...docs })
}

/** A status to match: a number from 100 to 599, or a class such as `"4xx"`. */
export const StatusMatch = (docs: Record<string, unknown> = {}) => {
  const read = (v: unknown): { exact: number } | { class: number } | null => {
    if (typeof v === 'number') return Number.isInteger(v) && v >= 100 && v <= 599 ? { exact: v } : null
    if (typeof v === 'string' && /^[1-5]xx$/.test(v)) return { class: Number(v[0]) }
    return null
  }
  return kind<number | string, { exact: number } | { class: number } | null>('StatusMatch', {
    check: v => read(v) !== null,
    message: () => 'Enter a status from 100 to 599, or a class such as "4xx".',
    decode: v => read(v instanceof PyFloat ? v.value : v)
  }, { anyOf: [{ type: 'integer', minimum: 100, maximum: 599 }, { type: 'string', pattern: '^[1-5]xx$' }], ...docs })
}
