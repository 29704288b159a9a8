// Serializer.to_internal_value's frame: the body must be an object; fields are read as own keys only (a body
// key such as "constructor" or "__proto__" is just an unknown field), and every field's errors are collected.
import { detail, invalid, type ApiError, type ValidationErrors } from '../errors.js'
import { MISSING, type FieldResult, type Input } from '../drf/fields.js'
import { parseJsonBody } from '../drf/parse.js'
import { pyTypeName } from '../drf/python.js'

export type Body = Record<string, unknown>

/** The body as an object, or the 400 DRF answers for `null`, lists, strings, numbers and booleans. */
export function asObject (data: unknown): Body | ApiError {
  if (data === null) return invalid({ non_field_errors: ['No data provided'] })
  if (typeof data !== 'object' || Array.isArray(data)) {
    return invalid({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyTypeName(data)}.`] })
  }
  return data as Body
}

/**
 * A request's body as DRF's JSONParser and a serializer read it: an object, or the 400/415 to answer. Bodies
 * arrive as the bytes sent (app.ts's catch-all parser), whatever the route schema says they describe.
 */
export function readBody (request: { body: unknown, contentTypeHeader: string | undefined }): Body | ApiError {
  const parsed = parseJsonBody(request.body as Buffer | undefined, request.contentTypeHeader)
  if (!parsed.ok) return detail(parsed.status, parsed.detail)
  return asObject(parsed.data)
}

export function field (body: Body, name: string): Input {
  return Object.hasOwn(body, name) ? body[name] : MISSING
}

/** The errors of the fields read so far, keyed by field, in the order they were read (as DRF reports them). */
export class FieldErrors {
  readonly errors: ValidationErrors = {}

  get failed (): boolean {
    return Object.keys(this.errors).length > 0
  }

  /** A field's value, or undefined after noting why it failed. */
  take<T> (name: string, result: FieldResult<T>): T | undefined {
    if (result.ok) return result.value
    this.record(name, result.errors)
    return undefined
  }

  protected record (name: string, messages: string[]): void {
    this.errors[name] = messages
  }
}
