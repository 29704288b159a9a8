// The admin API reads its bodies with the TypeBox schemas that document them (GET /__admin/openapi.json): a body
// is parsed as DRF parses one (Python's json, src/drf/parse.ts), then checked by TypeBox's compiler, and its errors
// are written the way DRF writes a serializer's — field-keyed, one message a field, in the schema's field order:
// `{"action.status": ["Ensure this value is greater than or equal to 200."]}`, `payments[3].refunds[0].amount`.
// What a schema cannot say (a decimal's places, rules across fields) is checked by hand after it, on the same body.
import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import { MSG } from '../drf/fields.js'
import type { ValidationErrors } from '../errors.js'
import { PyFloat, type PyDict, type PyValue } from '../python/json.js'
import { pyTypeName } from '../python/python.js'
import { kindMessage } from './kinds.js'

/** The most fields a refused body names (a document can be wrong in many places). */
const MAX_PROBLEMS = 20

/**
 * The value as a schema checks it: dicts as plain objects, floats and ints as numbers (a big int as the nearest
 * number: its range check still names the limit), everything else as it is.
 */
function toPlain (value: PyValue): unknown {
  if (value instanceof PyFloat) return value.value
  if (typeof value === 'bigint') return Number(value)
  if (Array.isArray(value)) return value.map(toPlain)
  if (value instanceof Map) {
    const out = Object.create(null) as Record<string, unknown>
    for (const [k, v] of value) out[k] = toPlain(v)
    return out
  }
  return value
}

const decode = (segment: string): string => segment.replaceAll('~1', '/').replaceAll('~0', '~')

/** A JSON pointer's segments (`/payments/3/amount` → ['payments', '3', 'amount']). */
const segmentsOf = (path: string): string[] => path === '' ? [] : path.slice(1).split('/').map(decode)

/** A field's key as DRF-style errors name it: `payments[3].refunds[0].amount`, `action.status`. */
function fieldKey (segments: readonly string[]): string {
  let key = ''
  for (const s of segments) key += /^\d+$/.test(s) ? `[${s}]` : key === '' ? s : `.${s}`
  return key
}

/** The value at a path of the body as it was given (for messages: `received float`, `"True" is not…`). */
function at (value: PyValue | undefined, segments: readonly string[]): PyValue | undefined {
  let v = value
  // a dict by key, a list by index (Object() makes a missing value an empty object: undefined from there on)
  for (const s of segments) v = v instanceof Map ? v.get(s) : (Object(v) as Record<string, PyValue | undefined>)[s]
  return v
}

const TYPE_ERRORS = new Set([ValueErrorType.Integer, ValueErrorType.Number, ValueErrorType.String, ValueErrorType.Boolean,
  ValueErrorType.Object, ValueErrorType.Array, ValueErrorType.Literal, ValueErrorType.Union, ValueErrorType.Kind])

/** DRF's message for what TypeBox found wrong with a value. */
function message (error: ValueError, given: PyValue | undefined): string {
  const schema = error.schema
  if (error.type === ValueErrorType.ObjectRequiredProperty || given === undefined) return MSG.required
  if (error.type === ValueErrorType.ObjectAdditionalProperties) return 'Unknown field.'
  if (given === null && TYPE_ERRORS.has(error.type)) return MSG.null
  if (typeof schema.errorMessage === 'string') return schema.errorMessage
  const value = given as PyValue
  switch (error.type) {
    case ValueErrorType.Object: return MSG.notADict(value)
    case ValueErrorType.Array: return `Expected a list of items but got type "${pyTypeName(value)}".`
    // every other field of the bodies read here is a kind (kinds.ts), which says DRF's message for its value; a
    // plain TypeBox type says no more than this
    default: return kindMessage(schema, value) ?? 'Invalid value.'
  }
}

/** Where a path comes in the schema's order of fields (DRF reports errors in declaration order, not input order). */
function rank (schema: TSchema, segments: readonly string[]): number[] {
  const out: number[] = []
  let s: TSchema | undefined = schema
  for (const seg of segments) {
    if (s?.type === 'array' && /^\d+$/.test(seg)) {
      out.push(Number(seg))
      s = s.items as TSchema
    } else {
      const keys: string[] = s?.properties === undefined ? [] : Object.keys(s.properties as object)
      const i = keys.indexOf(seg)
      out.push(i < 0 ? keys.length : i)
      s = i < 0 ? undefined : (s?.properties as Record<string, TSchema>)[seg]
    }
  }
  return out
}

function compareRanks (a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return a.length - b.length
}

/** Errors keyed by field, in the schema's order; at most MAX_PROBLEMS fields, one message each. */
export class Problems {
  private readonly found = new Map<string, { rank: number[], messages: string[] }>()

  constructor (private readonly schema: TSchema) {}

  get count (): number {
    return this.found.size
  }

  has (segments: readonly string[]): boolean {
    return this.found.has(fieldKey(segments))
  }

  /** Whether the field or anything inside it has a problem already. */
  within (segments: readonly string[]): boolean {
    const key = fieldKey(segments)
    for (const k of this.found.keys()) if (k === key || k.startsWith(`${key}.`) || k.startsWith(`${key}[`)) return true
    return false
  }

  /** Notes a field's problems, unless it has some already (the first are the ones DRF would name). */
  add (segments: readonly string[], messages: string | readonly string[]): void {
    const key = fieldKey(segments)
    if (this.found.has(key) || this.found.size >= MAX_PROBLEMS) return
    this.found.set(key, { rank: rank(this.schema, segments), messages: typeof messages === 'string' ? [messages] : [...messages] })
  }

  get errors (): ValidationErrors {
    const entries = [...this.found].sort(([, a], [, b]) => compareRanks(a.rank, b.rank))
    return Object.fromEntries(entries.map(([key, { messages }]) => [key, messages]))
  }
}

export type Checked<S extends TSchema> = { ok: true, value: Static<S>, raw: PyDict } | { ok: false, problems: Problems }

/**
 * A reader for bodies of `schema`, compiled once: the body (a dict, as readBody gives it) checked as the schema says,
 * with its typed value and the body as given, or the problems found.
 */
export function schemaReader<S extends TSchema> (schema: S) {
  const compiled = TypeCompiler.Compile(schema)
  return function read (raw: PyDict): Checked<S> {
    const plain = toPlain(raw)
    if (compiled.Check(plain)) return { ok: true, value: plain as Static<S>, raw }
    const problems = new Problems(schema)
    for (const error of compiled.Errors(plain)) {
      // a required field left out, or a union's members, report again at the same path: the first error is its message
      const segments = segmentsOf(error.path)
      if (problems.has(segments)) continue
      problems.add(segments, message(error, at(raw, segments)))
    }
    return { ok: false, problems }
  }
}
