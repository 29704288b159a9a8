// Serializer.to_internal_value's frame: the body must be an object; fields are read as own keys only (a body
// key such as "constructor" or "__proto__" is just an unknown field).
import { detail, invalid, type ApiError } from '../errors.js'
import { MISSING, type Input } from '../drf/fields.js'
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

/** DRF's amount rules, shared by refunds, payments and the seed file: DecimalField(15, 2, min_value=0.01). */
export const AMOUNT = { maxDigits: 15, decimalPlaces: 2, minCents: 1, required: true } as const
