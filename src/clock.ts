// Time in microseconds (DRF prints six-digit fractions), the clock tests can move, and time-sortable refund ids.
//
// The system clock is the wall clock, plus an offset once a test sets or advances it. A fixed clock (CLOCK=<instant>)
// starts at an instant and moves only when told to; every record created gets the clock's time plus one
// microsecond per record created since it last moved, so records still sort by `created`. Either way no two
// records get the same time, and time never runs backwards for them.
import { randomFillSync } from 'node:crypto'

export type ClockMode = 'system' | 'fixed'

export interface Clock {
  readonly mode: ClockMode
  /** Stamps a record being created: its time, in microseconds since the epoch, strictly increasing (it moves the clock's last stamp). */
  stamp(): number
  /** The clock's time, read without creating anything (journal times, the duplicate window). */
  current(): number
  /** Tells the clock of a record it did not stamp (an imported one): later records get later times. */
  observe(us: number): void
}

/** Why a clock was not moved. */
export type ClockRefusal = 'backwards'

const wallMicros = (): number => (performance.timeOrigin + performance.now()) * 1000

export class EmulatorClock implements Clock {
  private offset = 0
  private base: number
  private ticks = 0
  private last = 0

  /**
   * `start`: the configured instant of a fixed clock, in microseconds, or null for the system clock.
   * `source`: the wall clock in microseconds, with a fraction (tests pass their own).
   */
  constructor (private readonly start: number | null, private readonly source: () => number = wallMicros) {
    this.base = start ?? 0
  }

  get mode (): ClockMode {
    return this.start === null ? 'system' : 'fixed'
  }

  current (): number {
    return this.start === null ? Math.floor(this.source()) + this.offset : this.base
  }

  stamp (): number {
    let t = this.start === null ? this.current() : this.base + this.ticks++
    if (t <= this.last) t = this.last + 1
    this.last = t
    return t
  }

  observe (us: number): void {
    if (us > this.last) this.last = us
  }

  /** Under a fixed clock, the time the next record would get: after every record made so far (a snapshot's clock). */
  next (): number {
    return Math.max(this.base + this.ticks, this.last + 1)
  }

  /** Moves the clock to `us`: never backwards. The system clock keeps ticking from there. */
  set (us: number): ClockRefusal | null {
    const current = this.current()
    if (us < current) return 'backwards'
    if (this.start === null) this.offset += us - current
    else {
      this.base = us
      this.ticks = 0
    }
    return null
  }

  advance (us: number): ClockRefusal | null {
    return this.set(this.current() + us)
  }

  /** Moves forward to `us` if that is later (a restored snapshot's time): the clock continues from there. */
  catchUp (us: number): void {
    if (us > this.current()) this.set(us)
  }

  /** Back to the configured clock (records created from now on still never get an earlier time). */
  reset (): void {
    this.offset = 0
    this.base = this.start ?? 0
    this.ticks = 0
  }
}

/** The system clock; `source`: the wall clock in microseconds (tests pass their own). */
export function systemClock (source?: () => number): EmulatorClock {
  return new EmulatorClock(null, source)
}

let cachedSecond = NaN
let cachedPrefix = ''

/** DRF's DateTimeField output in UTC: `2023-11-07T05:31:56.123456Z`, no fraction when it is zero. */
export function formatDateTime (micros: number): string {
  const second = Math.floor(micros / 1_000_000)
  if (second !== cachedSecond) {
    // refunds created together share their second: the date part is formatted once per second
    cachedSecond = second
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 19)
  }
  const seconds = cachedPrefix
  const fraction = micros % 1_000_000
  return fraction === 0 ? `${seconds}Z` : `${seconds}.${String(fraction).padStart(6, '0')}Z`
}

const pool = Buffer.alloc(6 * 1024)
let poolOffset = pool.length

/**
 * `ref_` + 14 hex digits of creation time in microseconds + 12 hex digits: random ones (two processes writing one
 * database cannot collide in practice: 48 random bits per microsecond), or, under a fixed clock, `sequence` — a
 * counter the database keeps — so that the same requests make the same ids. Either way ids sort by creation time.
 */
export function refundId (micros: number, sequence?: number): string {
  const time = micros.toString(16).padStart(14, '0')
  if (sequence !== undefined) return `ref_${time}${sequence.toString(16).padStart(12, '0')}`
  if (poolOffset === pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const random = pool.toString('hex', poolOffset, poolOffset + 6)
  poolOffset += 6
  return `ref_${time}${random}`
}

/**
 * An ISO-8601 instant from 1970 on (`2026-01-01T00:00:00Z`, or with an offset; up to microseconds) in microseconds,
 * or null.
 */
export function parseInstant (text: string): number | null {
  const m = INSTANT.exec(text)
  if (m === null) return null
  const [, date = '', fraction = '', zone = ''] = m
  if (date < '1970') return null
  const ms = Date.parse(`${date}${zone}`)
  if (Number.isNaN(ms)) return null
  // Date.parse rolls 2026-02-30 over into March: what it read must print back the same
  const offsetMs = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000
  if (new Date(ms + offsetMs).toISOString().slice(0, 19) !== date) return null
  return ms * 1000 + Number(fraction.padEnd(6, '0'))
}

const INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/

/** The most a single call may move the clock: 100 years. */
export const MAX_ADVANCE_MS = 100 * 366 * 86_400_000

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
