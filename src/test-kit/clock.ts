// POST /__admin/clock: set the clock (`now`), move it forward (`advance_ms`, or `advance` as an ISO-8601 duration),
// or go back to the configured clock (`reset`). Errors are field-keyed, like the API's.
import { formatDateTime, type EmulatorClock } from '../clock.js'
import { MISSING } from '../drf/fields.js'
import { decode } from '../schemas/kinds.js'
import { ClockChangeSchema } from '../schemas/test-kit.js'
import { schemaReader } from '../schemas/validate.js'
import { invalid, type ApiError } from '../errors.js'
import { field, type Body } from '../serializers/common.js'

export type ClockChange = { kind: 'set', us: number } | { kind: 'advance', us: number } | { kind: 'reset' }

const KEYS = ['now', 'advance_ms', 'advance', 'reset'] as const
const readShape = schemaReader(ClockChangeSchema)
const FIELDS = ClockChangeSchema.properties

/** What a POST /__admin/clock body asks for, as ClockChangeSchema says (exactly one of its fields), or the 400. */
export function readClockChange (body: Body): ClockChange | ApiError {
  const given = KEYS.filter(k => field(body, k) !== MISSING)
  if (given.length !== 1) {
    return invalid({ non_field_errors: ['Give one of "now" (an ISO-8601 instant), "advance_ms", "advance" (an ISO-8601 duration) or "reset": true.'] })
  }
  const checked = readShape(body)
  if (!checked.ok) return invalid(checked.problems.errors)
  const now = decode(FIELDS.now, field(body, 'now'))
  if (now !== null) return { kind: 'set', us: now }
  const ms = decode(FIELDS.advance_ms, field(body, 'advance_ms'))
  if (ms !== null) return { kind: 'advance', us: ms * 1000 }
  const us = decode(FIELDS.advance, field(body, 'advance'))
  return us !== null ? { kind: 'advance', us } : { kind: 'reset' }
}

/** Applies a change; the 400 for moving backwards, which would break the time order of the records. */
export function applyClockChange (clock: EmulatorClock, change: ClockChange): ApiError | null {
  if (change.kind === 'reset') {
    clock.reset()
    return null
  }
  const refused = change.kind === 'set' ? clock.set(change.us) : clock.advance(change.us)
  if (refused === null) return null
  return invalid({ now: [`The clock only moves forward: it is at ${formatDateTime(clock.current())}, after ${formatDateTime(change.us)}.`] })
}

/** GET /__admin/clock's answer. */
export function clockBody (clock: EmulatorClock) {
  return { now: formatDateTime(clock.current()), mode: clock.mode }
}
