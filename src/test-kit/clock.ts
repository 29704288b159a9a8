// POST /__admin/clock: set the clock (`now`), move it forward (`advance_ms`, or `advance` as an ISO-8601 duration),
// or go back to the configured clock (`reset`). Errors are field-keyed, like the API's.
import { formatDateTime, parseInstant, type EmulatorClock } from '../clock.js'
import { integerField, MISSING } from '../drf/fields.js'
import { invalid, type ApiError } from '../errors.js'
import { field, type Body } from '../serializers/common.js'

/** The most a single call may move the clock: 100 years. */
const MAX_ADVANCE_MS = 100 * 366 * 86_400_000

const DURATION = /^P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,9})M)?(?:(\d{1,9})(?:\.(\d{1,6}))?S)?)?$/
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000]

/**
 * An ISO-8601 duration of weeks, days, hours, minutes and seconds (`PT10M`, `P1DT2H`, `PT0.5S`) in microseconds, or
 * null. Years and months have no fixed length and are refused.
 */
export function parseDuration (text: string): number | null {
  const m = DURATION.exec(text)
  if (m === null || text === 'P' || text.endsWith('T')) return null
  let us = 0
  UNIT_MS.forEach((unit, i) => { us += Number(m[i + 1] ?? 0) * unit * 1000 })
  return us + Number((m[6] ?? '').padEnd(6, '0'))
}

export type ClockChange = { kind: 'set', us: number } | { kind: 'advance', us: number } | { kind: 'reset' }

const KEYS = ['now', 'advance_ms', 'advance', 'reset']

/** What a POST /__admin/clock body asks for, or the 400. */
export function readClockChange (body: Body): ClockChange | ApiError {
  const given = KEYS.filter(k => field(body, k) !== MISSING)
  if (given.length !== 1) {
    return invalid({ non_field_errors: ['Give one of "now" (an ISO-8601 instant), "advance_ms", "advance" (an ISO-8601 duration) or "reset": true.'] })
  }
  const now = field(body, 'now')
  if (now !== MISSING) {
    const us = typeof now === 'string' ? parseInstant(now) : null
    return us === null ? invalid({ now: ['Enter an ISO-8601 instant from 1970 on, such as "2026-01-01T00:00:00Z".'] }) : { kind: 'set', us }
  }
  const advanceMs = field(body, 'advance_ms')
  if (advanceMs !== MISSING) {
    const ms = integerField(advanceMs, { min: 0, max: MAX_ADVANCE_MS, required: true })
    return ms.ok ? { kind: 'advance', us: (ms.value as number) * 1000 } : invalid({ advance_ms: ms.errors })
  }
  const advance = field(body, 'advance')
  if (advance !== MISSING) {
    const us = typeof advance === 'string' ? parseDuration(advance) : null
    if (us === null) return invalid({ advance: ['Enter an ISO-8601 duration of weeks, days, hours, minutes and seconds, such as "PT10M".'] })
    return us > MAX_ADVANCE_MS * 1000 ? invalid({ advance: [`Ensure this value is less than or equal to ${MAX_ADVANCE_MS} ms.`] }) : { kind: 'advance', us }
  }
  return field(body, 'reset') === true ? { kind: 'reset' } : invalid({ reset: ['Must be true.'] })
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
