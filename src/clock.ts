// Time in microseconds (DRF prints six-digit fractions) and time-sortable refund ids.
import { randomFillSync } from 'node:crypto'

export interface Clock {
  /** Wall-clock microseconds since the epoch, strictly increasing within the process. */
  now(): number
}

const wallMillis = (): number => performance.timeOrigin + performance.now()

/** `source`: wall-clock milliseconds with a fraction (tests pass their own). */
export function systemClock (source: () => number = wallMillis): Clock {
  let last = 0
  return {
    now () {
      let t = Math.floor(source() * 1000)
      if (t <= last) t = last + 1
      last = t
      return t
    }
  }
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
 * `ref_` + 14 hex digits of creation time in microseconds + 12 random hex digits: ids sort by creation time and
 * two processes writing one database cannot collide in practice (48 random bits per microsecond).
 */
export function refundId (micros: number): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const random = pool.toString('hex', poolOffset, poolOffset + 6)
  poolOffset += 6
  return `ref_${micros.toString(16).padStart(14, '0')}${random}`
}
