// Serializer.to_internal_value's frame: the body must be a dict (json.ts's value model, keys in the client's
// order), and every field's errors are collected.
import { detail, invalid, type ApiError, type ValidationErrors } from '../errors.js'
import { MISSING, type FieldResult, type Input } from '../drf/fields.js'
import type { PyDict, PyValue } from '../python/json.js'
import { parseJsonBody } from '../drf/parse.js'
import { pyTypeName } from '../python/python.js'

export type Body = PyDict

/** The body as a dict, or the 400 DRF answers for `null`, lists, strings, numbers and booleans. */
export function asObject (data: PyValue): Body | ApiError {
  if (data === null) return invalid({ non_field_errors: ['No data provided'] })
  if (!(data instanceof Map)) {
    return invalid({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${pyTypeName(data)}.`] })
  }
  return data
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
  const value = body.get(name)
  return value === undefined ? MISSING : value
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
